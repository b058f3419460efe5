"""The 落款 of a body (issuing body and date at its end) is recognised for right alignment; nothing else is."""

import pytest

from disclosure.core.official import official_layout, scrollable_tables

SIGNED = '<div class="record-signature">{}</div>'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Issuing body and date, Arabic numerals.
        (
            "<p>现予公示。</p><p>清河县住房和城乡建设局</p><p>2026年11月20日</p>",
            "<p>现予公示。</p>" + SIGNED.format("<p>清河县住房和城乡建设局</p><p>2026年11月20日</p>"),
        ),
        # Two issuing bodies (联合发文), the date in Chinese numerals, spaces and a trailing newline.
        (
            "<p>特此通知。</p>\n<p>清河县住房和城乡建设局</p>\n<p>清河县财政局</p>\n<p>二〇二六年十一月二十日</p>\n",
            "<p>特此通知。</p>" + SIGNED.format("<p>清河县住房和城乡建设局</p><p>清河县财政局</p><p>二〇二六年十一月二十日</p>"),
        ),
        # A date alone.
        ("<p>现予公示。</p><p>2026年1月5日</p>", "<p>现予公示。</p>" + SIGNED.format("<p>2026年1月5日</p>")),
    ],
)
def test_signature_block_is_wrapped(body, expected):
    assert official_layout(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "<p>现予公示。</p>",
        # A sentence that ends in a date is not a 落款.
        "<p>公示期自2026年11月20日起。</p>",
        # The date is not last.
        "<p>清河县住房和城乡建设局</p><p>2026年11月20日</p><p>附件：名单</p>",
        # The date inside a table cell or a list.
        "<table><tbody><tr><td><p>2026年11月20日</p></td></tr></tbody></table>",
        "<ul><li><p>2026年11月20日</p></li></ul>",
        "",
    ],
)
def test_bodies_without_signature_are_unchanged(body):
    """No 落款 is made; tables only get their scrollable region (scrollable_tables)."""
    assert official_layout(body) == scrollable_tables(body)


def test_tables_scroll_in_a_focusable_labelled_region():
    body = "<p>名单如下：</p><table><tbody><tr><td>张三</td></tr></tbody></table>"
    assert official_layout(body) == (
        '<p>名单如下：</p><div class="table-scroll" role="region" tabindex="0" aria-label="表格（可左右滚动）">'
        "<table><tbody><tr><td>张三</td></tr></tbody></table></div>"
    )


def test_a_sentence_before_the_date_stays_in_the_text():
    """Only short non-sentences count as issuing bodies: the closing sentence stays indented text."""
    body = "<p>特此公示，欢迎监督。</p><p>2026年11月20日</p>"
    assert official_layout(body) == "<p>特此公示，欢迎监督。</p>" + SIGNED.format("<p>2026年11月20日</p>")
