"""Benchmarks of the privacy nets on a large batch (default 1,000,000 movimentos).

    uv run python -m bench.privacy [--movimentos N] [--near-miss-share 0.5]

1. The personal-data detector: its false alarms on clean rows (the generator's rows, where a share of the
   descriptions is replaced by near misses: phone numbers (with `+55`, Unicode spaces and dashes, full-width
   or Arabic-Indic digits), CEPs, boleto lines, NF-e keys, utility bill lines, dates, amounts, order ids,
   masked values and both e-mail masks) and its cost (the gate's pass with the detector against the same pass
   without it); then every planted form of a real CPF, CNPJ (numeric and alphanumeric), card number and
   e-mail, which it must all find.
2. The leak proof: the generated batch exported as the pipeline does (Delta, Parquet, CSV), then every raw
   value of the batch searched in every file written; its seconds against the export's.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

_DIGITS = "0123456789"
_FULL_WIDTH = "".join(chr(0xFF10 + d) for d in range(10))
_ARABIC_INDIC = "".join(chr(0x660 + d) for d in range(10))
_PHONE = "11 + r1 % 89, r2 % 10000, r3 % 10000"

NEAR_MISSES = {
    # kind -> a Spark SQL expression of random digits (r1..r4: independent random longs per row)
    "phone": f"format_string('(%02d) 9%04d-%04d', {_PHONE})",
    "phone +55": f"format_string('+55 %02d 9%04d-%04d', {_PHONE})",
    "phone +55 (DD)": f"format_string('+55 (%02d) 9%04d-%04d', {_PHONE})",
    "phone +55 glued": f"format_string('+55%02d9%04d%04d', {_PHONE})",
    "phone Unicode separators": f"format_string('(%02d)\u202f9%04d\u2011%04d', {_PHONE})",
    "phone full-width": f"translate(format_string('＋55 %02d 9%04d－%04d', {_PHONE}), '{_DIGITS}', '{_FULL_WIDTH}')",
    "phone Arabic-Indic": f"translate(format_string('%02d 9%04d-%04d', {_PHONE}), '{_DIGITS}', '{_ARABIC_INDIC}')",
    "landline": "format_string('%02d %04d-%04d', 11 + r1 % 89, 2000 + r2 % 8000, r3 % 10000)",
    "0800": "format_string('0800\u2009%03d\u2009%04d', r1 % 1000, r2 % 10000)",
    "CEP": "format_string('CEP %05d-%03d', r1 % 100000, r2 % 1000)",
    "CEP Unicode dash": "format_string('CEP %05d\u2013%03d', r1 % 100000, r2 % 1000)",
    "boleto line": "format_string('%05d.%05d %05d.%06d %05d.%06d %d %04d%010d', r1 % 100000, r2 % 100000,"
    " r3 % 100000, r4 % 1000000, r2 % 100000, r1 % 1000000, r3 % 10, r4 % 10000, r1 % 10000000000)",
    "NF-e key": "format_string('%04d %04d %04d %04d %04d %04d %04d %04d %04d %04d %04d', r1 % 10000,"
    " r2 % 10000, r3 % 10000, r4 % 10000, r1 % 9973, r2 % 9973, r3 % 9973, r4 % 9973, r1 % 9931,"
    " r2 % 9931, r3 % 9931)",
    "utility bill line": "format_string('%011d-%d %011d-%d %011d-%d %011d-%d', r1 % 100000000000, r1 % 10,"
    " r2 % 100000000000, r2 % 10, r3 % 100000000000, r3 % 10, r4 % 100000000000, r4 % 10)",
    "date": "format_string('%02d/%02d/%04d %02d:%02d', 1 + r1 % 28, 1 + r2 % 12, 2000 + r3 % 30, r4 % 24, r1 % 60)",
    "date thin spaces": "format_string('%02d\u2009/\u2009%02d\u2009/\u2009%04d %02d:%02d:%02d', 1 + r1 % 28,"
    " 1 + r2 % 12, 2000 + r3 % 30, r4 % 24, r1 % 60, r2 % 60)",
    "date full-width": f"translate(format_string('%02d/%02d/%04d', 1 + r1 % 28, 1 + r2 % 12, 2000 + r3 % 30),"
    f" '{_DIGITS}', '{_FULL_WIDTH}')",
    "amount": "format_string('R$ %d.%03d,%02d', r1 % 1000, r2 % 1000, r3 % 100)",
    "amount millions": "format_string('R$\u00a0%d.%03d.%03d,%02d', r1 % 100, r2 % 1000, r3 % 1000, r4 % 100)",
    "order id": "format_string('PED-%04d-%06d', 2000 + r1 % 30, r2 % 1000000)",
    "marketplace order": "format_string('Pedido %03d-%07d-%07d', r1 % 1000, r2 % 10000000, r3 % 10000000)",
    "masked document": "format_string('%03dXXXXXX%02d', r1 % 1000, r2 % 100)",
    "masked CNPJ": "format_string('%03dXXXXXXXXX%02d', r1 % 1000, r2 % 100)",
    "masked card": "format_string('%06dXXXXXX%04d', r1 % 1000000, r2 % 10000)",
    "masked e-mail": "format_string('%s*****@*****.com', substr(md5(cast(r1 as string)), 1, 4))",
    "masked e-mail, new mask": "concat(substr(md5(cast(r1 as string)), 1, cast(r2 % 3 as int)), '***@***',"
    " element_at(array('', '.br', '.com', '.org'), cast(r3 % 4 as int) + 1))",
}
PLANTED = [  # every form the detector promises to find, each must be flagged
    "Pagamento CPF 529.982.247-25",
    "cpf 529982247-25",
    "529 982 247 25",
    "CNPJ 11.222.333/0001-81",
    "11222333/0001-81",
    "cartao 4111.1111.1111.1111",
    "4111-1111-1111-1111 12/28",
    "amex 3782 822463 10005",
    "fulano.silva@example.com.br",
    # any separator, any digit form, format characters, neighbours (tests/unit/privacy lists the rules)
    "+55 529.982.247-25",
    "529_982_247_25",
    "529,982,247:25",
    "529\u2009982\u2009247\u201325",
    "529\u200b.982.247-25",
    "５２９．９８２．２４７－２５",
    "٥٢٩٩٨٢٢٤٧٢٥",
    "CPF52998224725",
    "52998224725abc",
    "529.982.247-25 " + " ".join(["123"] * 11),  # glued to other numbers, 44 digits in all
    "4111_1111_1111_1111",
    "CNPJ 12.ABC.345/01DE-35",
    "12ABC34501DE35",
    "１２．ＡＢＣ．３４５／０１ＤＥ－３５",
    "joão.silva@exemplo.com.br",
    "user@bücher.de",
    "用户@例子.中国",
    "ａｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ",
]


def near_miss_descriptions(frame: DataFrame, share: float, seed: int = 5) -> tuple[DataFrame, Column]:
    """Replace `share` of the descriptions by random near misses; returns the frame and the kind column."""
    kinds = list(NEAR_MISSES)
    randoms = {f"r{i}": F.abs(F.xxhash64(F.col("id_movimento"), F.lit(seed * 10 + i))) for i in range(1, 5)}
    frame = frame.withColumns(randoms)
    pick = F.abs(F.xxhash64(F.col("id_movimento"), F.lit(seed))) % 1_000_000
    kind = F.when(
        pick < share * 1_000_000,
        F.element_at(F.array(*[F.lit(k) for k in kinds]), (pick % len(kinds)).cast("int") + 1),
    )
    text = F.coalesce(*[F.when(kind == k, F.expr(expression)) for k, expression in NEAR_MISSES.items()])
    frame = frame.withColumns(
        {"_near_miss": kind, "des_transacao_movimento": F.coalesce(text, F.col("des_transacao_movimento"))}
    )
    return frame.drop(*randoms), F.col("_near_miss")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--movimentos", type=int, default=1_000_000)
    parser.add_argument("--associados", type=int, default=20_000)
    parser.add_argument("--near-miss-share", type=float, default=0.5)
    args = parser.parse_args()

    from pyspark import StorageLevel

    from bench.frames import generated_flat
    from tasks.domain.movimento_flat import NOT_WRITTEN_COLUMNS
    from tasks.domain.tables import TABLES
    from tasks.export.delta import files_written, merge_into_delta
    from tasks.export.files import BatchFiles, stage_batch
    from tasks.gate.task import text_columns
    from tasks.privacy.detector import personal_data_flag
    from tasks.privacy.fingerprints import Fingerprints
    from tasks.privacy.leak_scan import prove
    from tasks.spark_session import get_spark
    from tasks.storage import resolve

    spark = get_spark(app_name="bench-privacy")
    flat = generated_flat(spark, args.movimentos, args.associados)
    frame, kind = near_miss_descriptions(flat.frame, args.near_miss_share)
    frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
    rows = frame.count()
    columns = text_columns(flat.frame)
    print(
        f"detector over {rows:,} clean rows, {len(columns)} text columns, {args.near_miss_share:.0%} near misses"
    )

    def timed_count(expression: Column) -> tuple[float, int]:
        started = time.perf_counter()
        count = frame.where(expression).count()
        return time.perf_counter() - started, count

    baseline, _ = timed_count(F.length(F.concat_ws("", *[F.col(c) for c in columns])) < 0)
    detector, false_alarms = timed_count(personal_data_flag(columns).isNotNull())
    print(f"  pass without detector      {baseline:8.2f} s")
    print(
        f"  pass with detector         {detector:8.2f} s  (+{detector - baseline:.2f} s, "
        f"{rows / max(detector - baseline, 1e-9):,.0f} rows/s)"
    )
    print(f"  false alarms               {false_alarms:>8,} of {rows:,} rows ({false_alarms / rows:.6%})")
    by_kind = (
        frame.where(personal_data_flag(columns).isNotNull()).groupBy(kind).count().collect()
        if false_alarms
        else []
    )
    for row in by_kind:
        print(f"    {row[0] or 'generator text'}: {row[1]:,}")
    planted = spark.createDataFrame([(text,) for text in PLANTED], "des_transacao_movimento string")
    found = planted.where(personal_data_flag(["des_transacao_movimento"]).isNotNull()).count()
    print(f"  planted forms found        {found:>8} of {len(PLANTED)}")

    with tempfile.TemporaryDirectory() as scratch:
        output = resolve(f"{scratch}/output")
        started = time.perf_counter()
        # The generator's rows as the pipeline exports them (the near misses above are the detector's test).
        published = flat.frame.select(*[c for c in flat.frame.columns if not c.startswith("_")])
        delta = output.join("delta", "movimento_flat")
        merge = merge_into_delta(spark, delta.spark_path, published)
        committed = spark.read.format("delta").option("versionAsOf", merge.version).load(delta.spark_path)
        staged = BatchFiles.staged(output.join("_staging", "bench"), "movimento_flat", "bench")
        stage_batch(committed.where("batch_id = 'bench'"), staged, "bench")
        export_seconds = time.perf_counter() - started
        log_files, data_files = files_written(delta, merge.previous, merge.version)
        files = [*log_files, *data_files, *staged.files()]
        print(f"export (Delta, Parquet, CSV) {export_seconds:8.2f} s  {len(files)} files")

        started = time.perf_counter()
        fingerprints = Fingerprints.of_batch(flat.tables, TABLES)
        proof = prove(fingerprints, files, [("logs", "nothing")], NOT_WRITTEN_COLUMNS)
        proof_seconds = time.perf_counter() - started
        size = sum(file.filesystem.get_file_info(file.path).size for file in files) / 1e6
        print(f"leak proof                   {proof_seconds:8.2f} s  {proof.summary()} ({size:,.0f} MB)")
        print(f"  share of export + proof    {proof_seconds / (export_seconds + proof_seconds):8.1%}")
    frame.unpersist()
    spark.stop()


if __name__ == "__main__":
    main()
