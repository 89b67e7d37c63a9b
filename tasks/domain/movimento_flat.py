"""The output table `movimento_flat`: its columns, in order, and the Portuguese comments it is published with."""

from __future__ import annotations

TABLE_NAME = "movimento_flat"
TABLE_COMMENT = (
    "Movimentos de cartão da SiCooperative com cartão, conta e associado (via chaves estrangeiras). "
    "Documento, e-mail e número do cartão estão mascarados."
)

# The original challenge's columns, in its order, then this project's additions.
CHALLENGE_COLUMNS = (
    "nome_associado",
    "sobrenome_associado",
    "idade_associado",
    "vlr_transacao_movimento",
    "des_transacao_movimento",
    "data_movimento",
    "numero_cartao",
    "nome_impresso_cartao",
    "data_criacao_cartao",
    "tipo_conta",
    "data_criacao_conta",
)
EXTRA_COLUMNS = (
    "id_movimento",
    "tipo_transacao",
    "email_associado",
    "documento_associado",
    "tipo_pessoa",
    "batch_id",
)
HASHED_COLUMNS = CHALLENGE_COLUMNS + EXTRA_COLUMNS
ROW_HASH = "row_hash"
# Not text anyone wrote: keys, ages and amounts (numbers) and the row's digest. The leak proof does not compare
# them: an 11-digit key or a hex digest would equal some raw document by chance once a batch is large.
NOT_WRITTEN_COLUMNS = frozenset({"idade_associado", "vlr_transacao_movimento", "id_movimento", "row_hash"})
OUTPUT_COLUMNS = (*HASHED_COLUMNS, ROW_HASH)
KEY = "id_movimento"

COLUMN_COMMENTS = {
    "nome_associado": "Nome do associado (titular da conta).",
    "sobrenome_associado": "Sobrenome do associado.",
    "idade_associado": "Idade do associado em anos.",
    "vlr_transacao_movimento": "Valor da transação em reais, decimal(10,2), sempre positivo.",
    "des_transacao_movimento": "Descrição da transação.",
    "data_movimento": "Data e hora da transação (UTC).",
    "numero_cartao": "Número do cartão mascarado: 6 primeiros e 4 últimos dígitos, demais X (PCI DSS).",
    "nome_impresso_cartao": "Nome impresso no cartão.",
    "data_criacao_cartao": "Data de emissão do cartão (UTC).",
    "tipo_conta": "Tipo da conta: CORRENTE, POUPANCA, SALARIO, INVESTIMENTO ou PAGAMENTO.",
    "data_criacao_conta": "Data de abertura da conta (UTC).",
    "id_movimento": "Identificador do movimento (chave da tabela).",
    "tipo_transacao": "DEBITO ou CREDITO.",
    "email_associado": "E-mail do associado mascarado (4 primeiros caracteres do usuário, 4 últimos do domínio).",
    "documento_associado": "CPF ou CNPJ mascarado: 3 primeiros e 2 últimos dígitos, demais X.",
    "tipo_pessoa": "PF (CPF) ou PJ (CNPJ).",
    "batch_id": "Lote de origem do movimento.",
    "row_hash": "sha256 dos campos da linha unidos por separador: detecta alterações.",
    "integridade": "Quarentena: OK ou o vínculo ausente (CARTAO_AUSENTE, CONTA_AUSENTE, ASSOCIADO_AUSENTE, TITULAR_DIVERGENTE).",
    "regras_violadas": "Quarentena: regras do portão de qualidade que a linha violou.",
}

QUARANTINE_TABLE_COMMENT = (
    "Quarentena de movimento_flat: linhas que violaram regras de política 'quarantine' do portão de qualidade, "
    "com o lote e as regras violadas. Dados já mascarados."
)
