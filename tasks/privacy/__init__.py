"""Personal data: how to recognise it (the detector), and how to prove none of it left (the leak proof)."""
