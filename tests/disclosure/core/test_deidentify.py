"""De-identification for the end of a 公示 (disclosure/core/deidentify.py): names kept, personal numbers
masked in the shapes reviewers know, an office number on a line of its own kept, nothing left behind."""

from __future__ import annotations

import io

import pytest

from disclosure.core import deidentify

ID_A = "11010519491231002X"  # GB 11643 example, check digit X (hand-checked in test_privacy_guard.check_digit)
KEY = b"test"


def test_html_rows_keep_names_and_mask_numbers():
    body = (
        f"<table><tr><td>张三</td><td>{ID_A}</td><td>0371-23456789</td></tr></table>"
        "<p>咨询电话：0371-12345678</p>"
    )
    masked, count = deidentify.deidentify_html(body)
    assert masked == (
        "<table><tr><td>张三</td><td>1101**********002X</td><td>0371-****6789</td></tr></table>"
        "<p>咨询电话：0371-12345678</p>"
    )
    assert count == 2


def test_full_width_digits_are_masked_in_place():
    masked, count = deidentify.mask_text("李四 １３８０３７１０００１", personal_line=True)
    assert masked == "李四 138****0001" and count == 1


def test_csv_rewritten_and_checked_again():
    data = f"姓名,身份证号,电话\r\n王五,{ID_A},13803710003\r\n".encode("utf-8-sig")
    rewritten, count = deidentify.deidentify_file("名单.csv", data, key=KEY)
    assert count == 2
    assert rewritten.decode("utf-8-sig").splitlines()[1] == "王五,1101**********002X,138****0003"


def test_unwritable_format_is_none():
    assert deidentify.deidentify_file("名单.pdf", b"%PDF-1.4", key=KEY) is None


def test_docx_number_split_across_runs_is_masked():
    """A number split across two runs (Word does this after edits) is masked run by run."""
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph("赵六 ")
    paragraph.add_run("13803")
    paragraph.add_run("710004")
    buffer = io.BytesIO()
    document.save(buffer)
    rewritten, count = deidentify.deidentify_file("名单.docx", buffer.getvalue(), key=KEY)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(rewritten)).paragraphs)
    assert "赵六 138****0004" in text and count == 1


@pytest.mark.parametrize("name", ["a.xlsx", "a.docx"])
def test_damaged_file_raises(name):
    with pytest.raises(Exception):  # noqa: B017 - any reading error; the 公示 job leaves the file out
        deidentify.deidentify_file(name, b"not a zip", key=KEY)
