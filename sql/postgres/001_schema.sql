-- SiCooperative operational schema (PostgreSQL). Idempotent: applied before every load.
-- GENERATED from the table contract (tasks/domain/tables.py) by `python -m tasks.domain.generate`: do not edit.
-- One associado has many contas; one conta has many cartoes; a cartao's owner must be its conta's owner,
-- enforced by the composite foreign key (id_conta, id_associado) -> conta (id, id_associado).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'tipo_conta') THEN
        CREATE TYPE tipo_conta AS ENUM ('CORRENTE', 'POUPANCA', 'SALARIO', 'INVESTIMENTO', 'PAGAMENTO');
    END IF;
END
$$;

CREATE TABLE IF NOT EXISTS associado (
    id        bigint       PRIMARY KEY,
    nome      varchar(100) NOT NULL,
    sobrenome varchar(100) NOT NULL,
    idade     smallint     NOT NULL CONSTRAINT associado_idade_ck CHECK (idade BETWEEN 0 AND 150),
    email     varchar(254) NOT NULL,
    cpf_cnpj  varchar(14)  NOT NULL CONSTRAINT associado_cpf_cnpj_ck CHECK (cpf_cnpj ~ '^([0-9]{11}|[0-9]{14})$'),
    batch_id  text         NOT NULL,
    CONSTRAINT associado_cpf_cnpj_uq UNIQUE (cpf_cnpj)
);
COMMENT ON TABLE associado IS 'Associados (cooperados) da SiCooperative: pessoas físicas (CPF) e jurídicas (CNPJ).';
COMMENT ON COLUMN associado.id IS 'Identificador do associado.';
COMMENT ON COLUMN associado.nome IS 'Nome (de PJ: do representante legal).';
COMMENT ON COLUMN associado.sobrenome IS 'Sobrenome.';
COMMENT ON COLUMN associado.idade IS 'Idade em anos.';
COMMENT ON COLUMN associado.email IS 'E-mail de contato. Dado pessoal.';
COMMENT ON COLUMN associado.cpf_cnpj IS 'CPF (11 dígitos) ou CNPJ (14 dígitos), somente dígitos. Dado pessoal.';
COMMENT ON COLUMN associado.batch_id IS 'Lote de carga que gravou a versão atual da linha.';

CREATE TABLE IF NOT EXISTS conta (
    id           bigint     PRIMARY KEY,
    tipo         tipo_conta NOT NULL,
    data_criacao timestamp  NOT NULL,
    id_associado bigint     NOT NULL REFERENCES associado (id),
    batch_id     text       NOT NULL,
    CONSTRAINT conta_id_associado_uq UNIQUE (id, id_associado)
);
CREATE INDEX IF NOT EXISTS conta_id_associado_ix ON conta (id_associado);
COMMENT ON TABLE conta IS 'Contas dos associados; um associado tem uma ou mais contas.';
COMMENT ON COLUMN conta.id IS 'Identificador da conta.';
COMMENT ON COLUMN conta.tipo IS 'Tipo da conta, do catálogo da cooperativa.';
COMMENT ON COLUMN conta.data_criacao IS 'Data de abertura da conta (UTC).';
COMMENT ON COLUMN conta.id_associado IS 'Titular da conta.';
COMMENT ON COLUMN conta.batch_id IS 'Lote de carga que gravou a versão atual da linha.';

CREATE TABLE IF NOT EXISTS cartao (
    id           bigint       PRIMARY KEY,
    num_cartao   varchar(19)  NOT NULL CONSTRAINT cartao_num_cartao_ck CHECK (num_cartao ~ '^[0-9]{13,19}$'),
    nom_impresso varchar(100) NOT NULL,
    data_criacao timestamp    NOT NULL,
    id_conta     bigint       NOT NULL,
    id_associado bigint       NOT NULL REFERENCES associado (id),
    batch_id     text         NOT NULL,
    CONSTRAINT cartao_num_cartao_uq UNIQUE (num_cartao),
    CONSTRAINT cartao_conta_titular_fk FOREIGN KEY (id_conta, id_associado) REFERENCES conta (id, id_associado)
);
CREATE INDEX IF NOT EXISTS cartao_id_associado_ix ON cartao (id_associado);
CREATE INDEX IF NOT EXISTS cartao_id_conta_ix ON cartao (id_conta);
COMMENT ON TABLE cartao IS 'Cartões emitidos para contas; o titular do cartão é o titular da conta.';
COMMENT ON COLUMN cartao.id IS 'Identificador do cartão.';
COMMENT ON COLUMN cartao.num_cartao IS 'Número do cartão (texto: 13 a 19 dígitos). Dado sensível (PCI).';
COMMENT ON COLUMN cartao.nom_impresso IS 'Nome impresso no cartão.';
COMMENT ON COLUMN cartao.data_criacao IS 'Data de emissão do cartão (ausente no desafio original; adicionada).';
COMMENT ON COLUMN cartao.id_conta IS 'Conta do cartão.';
COMMENT ON COLUMN cartao.id_associado IS 'Titular do cartão (o titular da conta).';
COMMENT ON COLUMN cartao.batch_id IS 'Lote de carga que gravou a versão atual da linha.';
COMMENT ON CONSTRAINT cartao_conta_titular_fk ON cartao IS 'O titular do cartão é o titular da sua conta.';

CREATE TABLE IF NOT EXISTS extract_cartao (
    batch_id   text        NOT NULL,
    id         bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, id)
);
COMMENT ON TABLE extract_cartao IS 'Cartões referenciados pelos movimentos de um lote em extração (tabela de trabalho do pipeline).';
COMMENT ON COLUMN extract_cartao.batch_id IS 'Lote em extração.';
COMMENT ON COLUMN extract_cartao.id IS 'Cartão referenciado por um movimento do lote.';
COMMENT ON COLUMN extract_cartao.created_at IS 'Quando a linha foi gravada (linhas antigas são restos de extrações interrompidas).';
