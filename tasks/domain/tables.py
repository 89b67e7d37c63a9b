"""The table contract of SiCooperative, declared once: the four source tables as landed and stored, the working
table of the extract, and the output `movimento_flat`.

Every column's type, length, nullability, key or foreign key, personal-data class (which decides its masking
rule and the leak proof), domain, format, Portuguese comment and the policy of its structural rules. Generated
from it (`tasks/domain/render/`, `python -m tasks.domain.generate`): the PostgreSQL DDL in `sql/postgres/`, the
MongoDB collection spec in `sql/mongodb/`, the Spark schemas of extraction, the flatten mapping, the structural
expectations merged into the suites, the Delta comments and the CSV headers. Business rules (amounts, dates,
reconciliation) stay hand-written in `expectations/`.
"""

from __future__ import annotations

from tasks.domain.contract import (
    Column,
    CompositeReference,
    Kind,
    PersonalData,
    Policy,
    Store,
    Table,
)

TIPOS_CONTA = ("CORRENTE", "POUPANCA", "SALARIO", "INVESTIMENTO", "PAGAMENTO")
TIPOS_TRANSACAO = ("DEBITO", "CREDITO")
DECIMAL_PRECISION, DECIMAL_SCALE = 10, 2
MAX_VLR_TRANSACAO_CENTS = 10**DECIMAL_PRECISION - 1  # 99,999,999.99

ASSOCIADO = Table(
    "associado",
    "Associados (cooperados) da SiCooperative: pessoas físicas (CPF) e jurídicas (CNPJ).",
    (
        Column("id", Kind.ID, "Identificador do associado."),
        Column("nome", Kind.TEXT, "Nome (de PJ: do representante legal).", max_length=100),
        Column("sobrenome", Kind.TEXT, "Sobrenome.", max_length=100),
        Column("idade", Kind.INT, "Idade em anos.", bounds=(0, 150)),
        Column(
            "email",
            Kind.TEXT,
            "E-mail de contato. Dado pessoal.",
            max_length=254,
            personal=PersonalData.EMAIL,
        ),
        Column(
            "cpf_cnpj",
            Kind.TEXT,
            "CPF (11 dígitos) ou CNPJ (14 dígitos), somente dígitos. Dado pessoal.",
            max_length=14,
            personal=PersonalData.DOCUMENT,
            pattern="^([0-9]{11}|[0-9]{14})$",
            unique=True,
        ),
    ),
    store=Store.POSTGRES,
)
CONTA = Table(
    "conta",
    "Contas dos associados; um associado tem uma ou mais contas.",
    (
        Column("id", Kind.ID, "Identificador da conta."),
        Column(
            "tipo",
            Kind.TEXT,
            "Tipo da conta, do catálogo da cooperativa.",
            max_length=20,
            values=TIPOS_CONTA,
            domain_type="tipo_conta",
        ),
        Column("data_criacao", Kind.TIMESTAMP, "Data de abertura da conta (UTC)."),
        Column("id_associado", Kind.ID, "Titular da conta.", references="associado"),
    ),
    store=Store.POSTGRES,
    # Target of cartao's composite key: guarantees cartao.id_associado = conta.id_associado.
    unique_together=(("id", "id_associado"),),
)
CARTAO = Table(
    "cartao",
    "Cartões emitidos para contas; o titular do cartão é o titular da conta.",
    (
        Column("id", Kind.ID, "Identificador do cartão."),
        Column(
            "num_cartao",
            Kind.TEXT,
            "Número do cartão (texto: 13 a 19 dígitos). Dado sensível (PCI).",
            max_length=19,
            personal=PersonalData.CARD,
            pattern="^[0-9]{13,19}$",
            unique=True,
        ),
        Column("nom_impresso", Kind.TEXT, "Nome impresso no cartão.", max_length=100),
        Column(
            "data_criacao",
            Kind.TIMESTAMP,
            "Data de emissão do cartão (ausente no desafio original; adicionada).",
        ),
        Column("id_conta", Kind.ID, "Conta do cartão."),
        Column("id_associado", Kind.ID, "Titular do cartão (o titular da conta).", references="associado"),
    ),
    store=Store.POSTGRES,
    composite_references=(
        CompositeReference(
            "cartao_conta_titular_fk",
            ("id_conta", "id_associado"),
            "conta",
            ("id", "id_associado"),
            "O titular do cartão é o titular da sua conta.",
        ),
    ),
    indexes=(("id_conta",),),
)
MOVIMENTO = Table(
    "movimento",
    "Movimentos (transações) de cartão.",
    (
        Column("id", Kind.ID, "Identificador do movimento (chave natural, única; _id no MongoDB)."),
        Column("vlr_transacao", Kind.DECIMAL, "Valor da transação em reais, 2 casas decimais."),
        Column("des_transacao", Kind.TEXT, "Descrição da transação.", max_length=200),
        Column("tipo_transacao", Kind.TEXT, "DEBITO ou CREDITO.", max_length=10),
        Column("data_movimento", Kind.TIMESTAMP, "Data e hora da transação (UTC)."),
        # The cartao lives in PostgreSQL: the gate checks this reference (no cross-database foreign key).
        Column("id_cartao", Kind.ID, "Cartão da transação (cartao.id no PostgreSQL).", references="cartao"),
    ),
    store=Store.MONGODB,
    indexes=(("batch_id", "id"),),
)

# The extract's semi-join: the cartoes a batch's movimentos reference, written by the load (same transaction as
# the masters) and deleted once extracted, so the extract reads only the master rows its batch can touch.
EXTRACT_CARTAO = Table(
    "extract_cartao",
    "Cartões referenciados pelos movimentos de um lote em extração (tabela de trabalho do pipeline).",
    (
        Column("batch_id", Kind.TEXT, "Lote em extração."),
        Column("id", Kind.ID, "Cartão referenciado por um movimento do lote."),
        Column(
            "created_at",
            Kind.TIMESTAMP,
            "Quando a linha foi gravada (linhas antigas são restos de extrações interrompidas).",
            default_sql="now()",
        ),
    ),
    store=Store.POSTGRES,
    primary_key=("batch_id", "id"),
    loaded=False,
)

# The extract plan of a batch in MongoDB: its movimento ids in parts sized to a reply (a working collection the
# load writes and the extract deletes; `tasks/load/mongo.py`).
EXTRACT_PLAN = "movimento_extract"

# Parents before children: the order of loading and of referential checks.
TABLES: tuple[Table, ...] = (ASSOCIADO, CONTA, CARTAO, MOVIMENTO)
POSTGRES_TABLES: tuple[Table, ...] = tuple(table for table in TABLES if table.store is Store.POSTGRES)
TABLES_BY_NAME = {table.name: table for table in TABLES}


def _from(
    source: str,
    comment: str,
    *,
    name: str | None = None,
    nullable: bool = True,
    values: tuple[str, ...] = (),
    policy: Policy = Policy.FAIL,
) -> Column:
    """An output column copied from `table.column` (named `<column>_<table>` unless said otherwise): its kind,
    length and personal-data class are the source's (in the output, the class says which mask it wears)."""
    table, column = source.split(".")
    origin = TABLES_BY_NAME[table].column(column)
    return Column(
        name or f"{column}_{table}",
        origin.kind,
        comment,
        max_length=origin.max_length,
        nullable=nullable,
        personal=origin.personal,
        values=values,
        policy=policy,
        source=source,
    )


# The output. Columns from cartao, conta and associado are nullable: a movimento whose links are missing is kept
# (left joins) with its integrity reason, and quarantined by the gate. A value rule of `quarantine` sets the
# breaking rows aside; the output's structural rules are re-checked on data read back from the operational
# databases, which other writers may have changed since the load (defence in depth).
MOVIMENTO_FLAT = Table(
    "movimento_flat",
    "Movimentos de cartão da SiCooperative com cartão, conta e associado (via chaves estrangeiras). "
    "Documento, e-mail e número do cartão estão mascarados.",
    (
        # The original challenge's columns, in its order.
        _from("associado.nome", "Nome do associado (titular da conta)."),
        _from("associado.sobrenome", "Sobrenome do associado."),
        _from("associado.idade", "Idade do associado em anos."),
        _from(
            "movimento.vlr_transacao",
            "Valor da transação em reais, decimal(10,2), sempre positivo.",
            nullable=False,
            policy=Policy.QUARANTINE,
        ),
        _from("movimento.des_transacao", "Descrição da transação."),
        _from(
            "movimento.data_movimento",
            "Data e hora da transação (UTC).",
            name="data_movimento",
            nullable=False,
            policy=Policy.QUARANTINE,
        ),
        _from(
            "cartao.num_cartao",
            "Número do cartão mascarado: 6 primeiros e 4 últimos dígitos, demais X (PCI DSS).",
            name="numero_cartao",
            policy=Policy.QUARANTINE,
        ),
        _from("cartao.nom_impresso", "Nome impresso no cartão.", name="nome_impresso_cartao"),
        _from("cartao.data_criacao", "Data de emissão do cartão (UTC)."),
        _from(
            "conta.tipo",
            "Tipo da conta: CORRENTE, POUPANCA, SALARIO, INVESTIMENTO ou PAGAMENTO.",
            values=TIPOS_CONTA,
            policy=Policy.QUARANTINE,
        ),
        _from("conta.data_criacao", "Data de abertura da conta (UTC)."),
        # This project's additions.
        _from(
            "movimento.id",
            "Identificador do movimento (chave da tabela).",
            nullable=False,
            policy=Policy.FAIL,
        ),
        _from(
            "movimento.tipo_transacao",
            "DEBITO ou CREDITO.",
            name="tipo_transacao",
            values=TIPOS_TRANSACAO,
            policy=Policy.QUARANTINE,
        ),
        _from(
            "associado.email",
            "E-mail do associado mascarado: até 2 primeiros caracteres do usuário, ***@*** e o domínio de topo.",
            policy=Policy.QUARANTINE,
        ),
        _from(
            "associado.cpf_cnpj",
            "CPF ou CNPJ mascarado: 3 primeiros e 2 últimos dígitos, demais X.",
            name="documento_associado",
            policy=Policy.QUARANTINE,
        ),
        Column(
            "tipo_pessoa",
            Kind.TEXT,
            "PF (CPF) ou PJ (CNPJ).",
            nullable=True,
            values=("PF", "PJ"),
            policy=Policy.QUARANTINE,
        ),
        _from("movimento.batch_id", "Lote de origem do movimento.", name="batch_id"),
        Column(
            "row_hash",
            Kind.TEXT,
            "sha256 dos campos da linha unidos por separador: detecta alterações.",
            nullable=True,
            pattern="^[0-9a-f]{64}$",
        ),
    ),
    primary_key=("id_movimento",),
    loaded=False,
)

# Columns only the quarantine table adds to movimento_flat's.
QUARANTINE = Table(
    "movimento_flat_quarentena",
    "Quarentena de movimento_flat: linhas que violaram regras de política 'quarantine' do portão de qualidade, "
    "com o lote e as regras violadas. Dados já mascarados.",
    (
        Column(
            "integridade",
            Kind.TEXT,
            "Quarentena: OK ou o vínculo ausente (CARTAO_AUSENTE, CONTA_AUSENTE, ASSOCIADO_AUSENTE, "
            "TITULAR_DIVERGENTE).",
        ),
        Column("regras_violadas", Kind.TEXT, "Quarentena: regras do portão de qualidade que a linha violou."),
    ),
    primary_key=("id_movimento",),
    loaded=False,
)

# The gate's internal columns of movimento_flat, in order: validated with it, never exported.
INTEGRITY = "_integridade"  # OK, or the missing link (the join's verdict)
INTEGRITY_OK = "OK"
DOCUMENT_VALID = "_documento_valido"  # CPF/CNPJ check digits verify (judged on the raw value, before masking)
CARD_VALID = "_cartao_valido"  # the card number passes Luhn (judged before masking)
VIOLATED_RULES = "_regras_violadas"  # the quarantine rules the row breaks
PERSONAL_DATA = "_dados_pessoais"  # null, or the kinds of raw personal data found in the row
JOIN_VERDICTS = (INTEGRITY, DOCUMENT_VALID, CARD_VALID)  # what the transform adds to movimento_flat
GATE_COLUMNS = (*JOIN_VERDICTS, VIOLATED_RULES, PERSONAL_DATA)
