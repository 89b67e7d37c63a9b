"""One abstraction for "a folder or file that may be local or on S3" (`s3://bucket/prefix`), for pyarrow and
Spark: `resolve(uri)` gives a `Location`, whose methods do everything else."""

from tasks.storage.location import Location, is_s3_uri, resolve, s3_filesystem

__all__ = ["Location", "is_s3_uri", "resolve", "s3_filesystem"]
