"""The guard behind every value-free error, as a class: any raw document, card number or e-mail address, written in
any of the forms the detector reads, is withheld from the message; near misses (phones, CEPs, dates, amounts,
boleto lines, masked values) leave the message as it is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.errors import WITHHELD, failure_reason
from tasks.landing.verification import BatchRejected
from tests.unit.privacy.generated_forms import DrawChooser, near_miss, personal_data


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_raw_value_in_any_form_never_reaches_an_errors_message(data: st.DataObject) -> None:
    case = personal_data(DrawChooser(data))
    error = BatchRejected("/landing/b", "associado.csv", f"problem near {case.text}", row=3, column="nome")
    assert str(error).endswith(WITHHELD)
    assert case.raw not in failure_reason(error) and case.text not in repr(error.args)


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_a_near_miss_leaves_the_message_as_it_is(data: st.DataObject) -> None:
    text = near_miss(DrawChooser(data))
    error = BatchRejected("/landing/b", "movimento.csv", f"problem near {text}")
    assert str(error).endswith(f"movimento.csv: problem near {text}")
