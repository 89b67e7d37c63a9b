"""Vectorised fake data for SiCooperative: associados, contas, cartoes and movimentos.

Faker supplies the pt_BR vocabulary (first names, surnames, e-mail domains); numpy draws every column at once, so
a million movimentos take about a second instead of a million Faker calls. Everything is a function of the seed
and `as_of`, so the same inputs always give the same batch.

Ids are laid out in blocks per seed (master tables: seed * 1,000,000 + n; movimento: seed * 10^9 + n), so batches
generated with different seeds never collide, while the same seed regenerates the same ids (idempotent re-runs).
CPF, CNPJ and card numbers are affine permutations of the ids, hence unique across every batch.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from faker.providers.internet.pt_BR import Provider as InternetProvider
from faker.providers.person.pt_BR import Provider as PersonProvider

from tasks.domain.documents import card_numbers, cnpj_from_base, cpf_from_base
from tasks.domain.tables import MAX_VLR_TRANSACAO_CENTS, TIPOS_CONTA, TIPOS_TRANSACAO

MASTER_ID_BLOCK = 1_000_000
MOVIMENTO_ID_BLOCK = 1_000_000_000
MAX_SEED = 999
MAX_CONTAS_PER_ASSOCIADO = 3
MAX_CARTOES_PER_CONTA = 2
MAX_ASSOCIADOS = MASTER_ID_BLOCK // (MAX_CONTAS_PER_ASSOCIADO * MAX_CARTOES_PER_CONTA)
FIRST_CONTA_DATE = datetime(2015, 1, 1)
SHARE_PJ = 0.15
SHARE_CREDITO = 0.12

DESCRICOES_DEBITO = (
    "Compra em supermercado",
    "Compra em farmácia",
    "Compra em posto de combustível",
    "Compra em restaurante",
    "Compra em padaria",
    "Compra online",
    "Compra em loja de roupas",
    "Compra em loja de eletrônicos",
    "Pagamento de assinatura",
    "Compra em livraria",
    "Compra em academia",
    "Compra em aplicativo de transporte",
)
DESCRICOES_CREDITO = ("Estorno de compra", "Cashback", "Ajuste a crédito")
# Issuer prefixes of the Visa and Mastercard ranges, as a cooperative bank's cards would carry.
CARD_BINS = np.array([406655, 422061, 453211, 516292, 523421, 544828], dtype=np.int64)

# Odd multipliers coprime to 10: x -> (a*x + b) mod 10^k is a bijection, so distinct ids give distinct numbers.
_CPF_PERMUTATION = (387_420_489, 104_729, 10**9)
_CNPJ_PERMUTATION = (282_475_249_001, 7_919, 10**12)
_CARD_PERMUTATION = (594_823_321, 15_485_863, 10**9)


@dataclass(frozen=True)
class GenerationConfig:
    associados: int = 5_000
    movimentos: int = 100_000
    seed: int = 42
    as_of: datetime | None = None  # naive UTC; defaults to today's midnight UTC

    def __post_init__(self) -> None:
        if not 1 <= self.associados <= MAX_ASSOCIADOS:
            raise ValueError(f"associados must be within 1..{MAX_ASSOCIADOS:,}, got {self.associados:,}")
        if not 0 <= self.movimentos < MOVIMENTO_ID_BLOCK:
            raise ValueError(
                f"movimentos must be within 0..{MOVIMENTO_ID_BLOCK - 1:,}, got {self.movimentos:,}"
            )
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be within 0..{MAX_SEED} (it also selects the batch's id block)")

    @property
    def reference_time(self) -> datetime:
        if self.as_of is not None:
            return self.as_of.replace(tzinfo=None, microsecond=0)
        return datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _printed_name(text: str) -> str:
    """As embossed on a card: upper-case ASCII letters and spaces."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.upper() if ch.isalpha() or ch == " ")


def _permute(ids: npt.NDArray[np.int64], permutation: tuple[int, int, int]) -> npt.NDArray[np.int64]:
    multiplier, offset, modulus = permutation
    # Python ints avoid int64 overflow for the 12-digit CNPJ permutation.
    return np.array([(multiplier * int(i) + offset) % modulus for i in ids.tolist()], dtype=np.int64)


def _random_times(
    rng: np.random.Generator, start: npt.NDArray[np.datetime64], end: np.datetime64
) -> npt.NDArray[np.datetime64]:
    """One uniform instant per row between its own start and a common end (whole seconds)."""
    span = (end - start).astype("timedelta64[s]").astype(np.int64)
    offsets = (rng.random(len(start)) * span).astype(np.int64)
    instants: npt.NDArray[np.datetime64] = start.astype("datetime64[s]") + offsets.astype("timedelta64[s]")
    return instants


def _timestamps(values: npt.NDArray[np.datetime64]) -> pa.Array:
    return pa.array(values.astype("datetime64[s]"), type=pa.timestamp("s"))


def _decimal_text(cents: npt.NDArray[np.int64]) -> pa.Array:
    """Format integer cents as decimal text ("1234.05") without a per-row Python loop."""
    units = pc.cast(pa.array(cents // 100), pa.string())
    hundredths = pc.utf8_lpad(pc.cast(pa.array(cents % 100), pa.string()), width=2, padding="0")
    return pc.binary_join_element_wise(units, hundredths, ".")


def _pick(vocabulary: tuple[str, ...], indices: npt.NDArray[np.int64]) -> pa.Array:
    """Strings by index from a small vocabulary, in Arrow (numpy unicode arrays are slow at this size)."""
    return pc.take(pa.array(vocabulary, pa.string()), pa.array(indices))


def generate(config: GenerationConfig) -> dict[str, pa.Table]:
    """Generate one referentially consistent batch, keyed by table name."""
    rng = np.random.default_rng(config.seed)
    as_of = np.datetime64(config.reference_time, "s")
    master_base = config.seed * MASTER_ID_BLOCK + 1

    # associado ---------------------------------------------------------------------------------------------
    n_assoc = config.associados
    associado_ids = master_base + np.arange(n_assoc, dtype=np.int64)
    female = rng.random(n_assoc) < 0.5
    first_m = np.array(PersonProvider.first_names_male)
    first_f = np.array(PersonProvider.first_names_female)
    surnames = np.array(PersonProvider.last_names)
    nomes = np.where(
        female,
        first_f[rng.integers(0, len(first_f), n_assoc)],
        first_m[rng.integers(0, len(first_m), n_assoc)],
    )
    sobrenomes = surnames[rng.integers(0, len(surnames), n_assoc)]
    idades = np.clip(np.rint(rng.normal(44, 15, n_assoc)), 18, 95).astype(np.int64)
    is_pj = rng.random(n_assoc) < SHARE_PJ
    documents = np.where(
        is_pj,
        cnpj_from_base(_permute(associado_ids, _CNPJ_PERMUTATION)),
        cpf_from_base(_permute(associado_ids, _CPF_PERMUTATION)),
    )
    domains = np.array(InternetProvider.free_email_domains)
    slug = np.vectorize(_ascii_slug, otypes=[str])
    user_parts = np.char.add(np.char.add(slug(nomes), "."), slug(sobrenomes))
    user_parts = np.char.add(user_parts, (associado_ids % 1000).astype(str))
    company_domains = np.char.add(slug(sobrenomes), (associado_ids % 97).astype(str))
    emails = np.where(
        is_pj,
        np.char.add(np.char.add("contato@", company_domains), ".com.br"),
        np.char.add(np.char.add(user_parts, "@"), domains[rng.integers(0, len(domains), n_assoc)]),
    )
    associado = pa.table(
        {
            "id": associado_ids,
            "nome": nomes,
            "sobrenome": sobrenomes,
            "idade": idades,
            "email": emails,
            "cpf_cnpj": documents,
        }
    )

    # conta: 1..3 per associado ----------------------------------------------------------------------------
    contas_per = rng.choice([1, 2, 3], size=n_assoc, p=[0.5, 0.35, 0.15])
    conta_owner = np.repeat(np.arange(n_assoc), contas_per)
    n_conta = len(conta_owner)
    conta_ids = master_base + np.arange(n_conta, dtype=np.int64)
    first_day = np.datetime64(FIRST_CONTA_DATE, "s")
    conta_created = _random_times(rng, np.full(n_conta, first_day), as_of - np.timedelta64(30, "D"))
    conta = pa.table(
        {
            "id": conta_ids,
            "tipo": np.array(TIPOS_CONTA)[
                rng.choice(len(TIPOS_CONTA), n_conta, p=[0.5, 0.25, 0.1, 0.1, 0.05])
            ],
            "data_criacao": _timestamps(conta_created),
            "id_associado": associado_ids[conta_owner],
        }
    )

    # cartao: 1..2 per conta, issued after the conta was opened --------------------------------------------
    cartoes_per = rng.choice([1, 2], size=n_conta, p=[0.7, 0.3])
    cartao_conta = np.repeat(np.arange(n_conta), cartoes_per)
    n_cartao = len(cartao_conta)
    cartao_ids = master_base + np.arange(n_cartao, dtype=np.int64)
    cartao_created = _random_times(rng, conta_created[cartao_conta], as_of - np.timedelta64(1, "D"))
    printed = np.vectorize(_printed_name, otypes=[str])(np.char.add(np.char.add(nomes, " "), sobrenomes))[
        conta_owner[cartao_conta]
    ]
    cartao = pa.table(
        {
            "id": cartao_ids,
            "num_cartao": card_numbers(
                CARD_BINS[rng.integers(0, len(CARD_BINS), n_cartao)],
                _permute(cartao_ids, _CARD_PERMUTATION),
            ),
            "nom_impresso": printed,
            "data_criacao": _timestamps(cartao_created),
            "id_conta": conta_ids[cartao_conta],
            "id_associado": associado_ids[conta_owner[cartao_conta]],
        }
    )

    # movimento: card transactions between the card's issue and as_of ---------------------------------------
    n_mov = config.movimentos
    mov_cartao = rng.integers(0, n_cartao, n_mov)
    is_credito = rng.random(n_mov) < SHARE_CREDITO
    descricao_index = np.where(
        is_credito,
        len(DESCRICOES_DEBITO) + rng.integers(0, len(DESCRICOES_CREDITO), n_mov),
        rng.integers(0, len(DESCRICOES_DEBITO), n_mov),
    )
    # Card spending is log-normal: most purchases are small, a few are large.
    cents = np.clip(np.rint(rng.lognormal(mean=8.3, sigma=1.1, size=n_mov)), 100, MAX_VLR_TRANSACAO_CENTS)
    movimento = pa.table(
        {
            "id": config.seed * MOVIMENTO_ID_BLOCK + 1 + np.arange(n_mov, dtype=np.int64),
            "vlr_transacao": _decimal_text(cents.astype(np.int64)),
            "des_transacao": _pick(DESCRICOES_DEBITO + DESCRICOES_CREDITO, descricao_index),
            "tipo_transacao": _pick(TIPOS_TRANSACAO, is_credito.astype(np.int64)),
            "data_movimento": _timestamps(_random_times(rng, cartao_created[mov_cartao], as_of)),
            "id_cartao": cartao_ids[mov_cartao],
        }
    )
    return {"associado": associado, "conta": conta, "cartao": cartao, "movimento": movimento}
