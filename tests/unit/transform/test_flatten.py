from decimal import Decimal

from pyspark.sql import SparkSession

from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.domain.tables import ASSOCIADO, CARD_VALID, DOCUMENT_VALID, INTEGRITY
from tasks.transform.flatten import INTERNAL_COLUMNS, flatten, row_hash
from tasks.transform.masking import mask_sources
from tests.utils.frames import ASSOCIADO_COLUMNS, broken_link_sources, source_frame


def test_join_follows_foreign_keys_and_keeps_every_movimento(spark: SparkSession) -> None:
    masked = mask_sources(broken_link_sources(spark))
    flat = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    rows = {row["id_movimento"]: row.asDict() for row in flat.collect()}
    assert list(flat.columns) == [*OUTPUT_COLUMNS, *INTERNAL_COLUMNS]
    assert set(rows) == {1000, 1001, 1002, 1003, 1004, 1005}  # nothing silently dropped

    ana = rows[1000]
    assert (ana["nome_associado"], ana["sobrenome_associado"], ana["idade_associado"]) == ("Ana", "Souza", 30)
    assert (ana["tipo_conta"], ana["nome_impresso_cartao"], ana["tipo_pessoa"]) == (
        "CORRENTE",
        "ANA SOUZA",
        "PF",
    )
    assert ana["numero_cartao"] == "411111XXXXXX1111"
    assert ana["documento_associado"] == "529XXXXXX25"
    assert ana["email_associado"] == "an***@***.com"
    assert ana["vlr_transacao_movimento"] == Decimal("10.50")
    assert ana[INTEGRITY] == "OK"

    loja = rows[1001]
    assert (loja["nome_associado"], loja["tipo_conta"], loja["tipo_pessoa"]) == ("Loja", "POUPANCA", "PJ")

    assert rows[1002][INTEGRITY] == "CARTAO_AUSENTE" and rows[1002]["numero_cartao"] is None
    assert rows[1003][INTEGRITY] == "ASSOCIADO_AUSENTE"
    assert rows[1004][INTEGRITY] == "TITULAR_DIVERGENTE"
    assert rows[1005][INTEGRITY] == "CONTA_AUSENTE"
    assert (ana[DOCUMENT_VALID], ana[CARD_VALID]) == (True, True)  # judged on the raw values
    assert (loja[DOCUMENT_VALID], loja[CARD_VALID]) == (True, True)


def test_row_hash_separates_fields_and_nulls(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("ab", "c"), ("a", "bc"), ("", None), (None, "")], "x string, y string")
    hashes = [row[0] for row in frame.select(row_hash(("x", "y"))).collect()]
    assert len(set(hashes)) == 4
    assert all(len(h) == 64 for h in hashes)


def test_invalid_check_digits_are_marked_before_masking(spark: SparkSession) -> None:
    sources = broken_link_sources(spark)
    sources["associado"] = source_frame(
        spark,
        ASSOCIADO,
        ASSOCIADO_COLUMNS,
        [
            (1, "Ana", "Souza", 30, "ana@x.com", "52998224726"),
            (2, "Loja", "Boa", 45, "l@x.com", "11222333000180"),
        ],
    )
    sources["cartao"] = sources["cartao"].replace(
        "4111111111111111", "4111111111111112", subset=["num_cartao"]
    )
    masked = mask_sources(sources)
    flat = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    rows = {row["id_movimento"]: row for row in flat.collect()}
    assert (rows[1000][DOCUMENT_VALID], rows[1000][CARD_VALID]) == (False, False)
    assert (rows[1001][DOCUMENT_VALID], rows[1001][CARD_VALID]) == (False, True)
    assert rows[1000]["documento_associado"] == "529XXXXXX26"  # masked all the same
