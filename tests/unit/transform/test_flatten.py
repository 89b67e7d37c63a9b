from datetime import datetime
from decimal import Decimal

from pyspark.sql import SparkSession

from tasks.domain.movimento_flat import OUTPUT_COLUMNS
from tasks.transform.flatten import INTEGRITY, flatten, integrity_counts, row_hash
from tasks.transform.masking import mask_sources

T0 = datetime(2024, 1, 1, 12, 0, 0)


def sources(spark: SparkSession) -> dict:
    associado = spark.createDataFrame(
        [
            (1, "Ana", "Souza", 30, "ana.souza@gmail.com", "52998224725"),
            (2, "Loja", "Boa", 45, "contato@lojaboa.com.br", "11222333000181"),
        ],
        "id long, nome string, sobrenome string, idade int, email string, cpf_cnpj string",
    )
    conta = spark.createDataFrame(
        [(10, "CORRENTE", T0, 1), (20, "POUPANCA", T0, 2), (30, "SALARIO", T0, 99)],
        "id long, tipo string, data_criacao timestamp, id_associado long",
    )
    cartao = spark.createDataFrame(
        [
            (100, "4111111111111111", "ANA SOUZA", T0, 10, 1),
            (200, "5500000000000004", "LOJA BOA", T0, 20, 2),
            (300, "4012888888881881", "ORFAO", T0, 30, 99),  # conta 30 points to a missing associado
            (400, "4222222222222", "INTRUSO", T0, 10, 2),  # owner 2 but conta 10 belongs to 1
            (500, "6011000990139424", "SEM CONTA", T0, 77, 1),  # conta 77 does not exist
        ],
        "id long, num_cartao string, nom_impresso string, data_criacao timestamp, id_conta long, id_associado long",
    )
    movimento = spark.createDataFrame(
        [
            (1000, Decimal("10.50"), "Compra em padaria", "DEBITO", T0, 100, "b1"),
            (1001, Decimal("99.99"), "Compra online", "CREDITO", T0, 200, "b1"),
            (1002, Decimal("5.00"), "Compra online", "DEBITO", T0, 999, "b1"),  # no such cartao
            (1003, Decimal("7.00"), "Compra online", "DEBITO", T0, 300, "b1"),
            (1004, Decimal("8.00"), "Compra online", "DEBITO", T0, 400, "b1"),
            (1005, Decimal("9.00"), "Compra online", "DEBITO", T0, 500, "b1"),
        ],
        "id long, vlr_transacao decimal(10,2), des_transacao string, tipo_transacao string, "
        "data_movimento timestamp, id_cartao long, batch_id string",
    )
    return {"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento}


def test_join_follows_foreign_keys_and_keeps_every_movimento(spark: SparkSession) -> None:
    masked = mask_sources(sources(spark))
    flat = flatten(masked["movimento"], masked["cartao"], masked["conta"], masked["associado"])
    rows = {row["id_movimento"]: row.asDict() for row in flat.collect()}
    assert list(flat.columns) == [*OUTPUT_COLUMNS, INTEGRITY]
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
    assert ana["email_associado"] == "ana.*****@*****.com"
    assert ana["vlr_transacao_movimento"] == Decimal("10.50")
    assert ana[INTEGRITY] == "OK"

    loja = rows[1001]
    assert (loja["nome_associado"], loja["tipo_conta"], loja["tipo_pessoa"]) == ("Loja", "POUPANCA", "PJ")

    assert rows[1002][INTEGRITY] == "CARTAO_AUSENTE" and rows[1002]["numero_cartao"] is None
    assert rows[1003][INTEGRITY] == "ASSOCIADO_AUSENTE"
    assert rows[1004][INTEGRITY] == "TITULAR_DIVERGENTE"
    assert rows[1005][INTEGRITY] == "CONTA_AUSENTE"
    assert integrity_counts(flat) == {
        "OK": 2,
        "CARTAO_AUSENTE": 1,
        "CONTA_AUSENTE": 1,
        "ASSOCIADO_AUSENTE": 1,
        "TITULAR_DIVERGENTE": 1,
    }


def test_row_hash_separates_fields_and_nulls(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("ab", "c"), ("a", "bc"), ("", None), (None, "")], "x string, y string")
    hashes = [row[0] for row in frame.select(row_hash(("x", "y"))).collect()]
    assert len(set(hashes)) == 4
    assert all(len(h) == 64 for h in hashes)
