"""Cleaning record bodies: known XSS payloads leave nothing that can run; Word structure survives."""

import re
from html.parser import HTMLParser

import pytest

from disclosure.core.sanitize import clean_html

# OWASP XSS filter evasion cheat sheet style payloads, plus mutation-XSS and HTML5 vectors.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<a href=\" javascript:alert(1)\">点击</a>",
    "<a href=\"JAVASCRIPT:alert(1)\">点击</a>",
    "<a href=\"javascript&#58;alert(1)\">点击</a>",
    "<a href=\"&#x6A;avascript&colon;alert(1)\">点击</a>",
    "<a href=\"java&#0;script:alert(1)\">点击</a>",
    "<a href=\"vbscript:msgbox(1)\">点击</a>",
    "<a href=\"VbScRiPt:msgbox(1)\">点击</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">点击</a>",
    "<a href=\"http://example.gov.cn/\" onmouseover=\"alert(1)\">正常链接</a>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<object type=\"text/x-scriptlet\" data=\"http://xss.example/scriptlet.html\"></object>",
    "<embed src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<style>body{background:url(\"javascript:alert(1)\")}</style><p>正文</p>",
    "<STYLE>@import'http://xss.example/xss.css';</STYLE>",
    "<div style=\"width: expression(alert('XSS'));\">正文</div>",
    "<p style=\"background-image: url(javascript:alert(1))\">正文</p>",
    "<link rel=\"stylesheet\" href=\"javascript:alert(1)\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><a xlink:href=\"javascript:alert(1)\">点击</a></math>",
    "<form action=\"javascript:alert(1)\"><input type=\"submit\"></form>",
    "<form><button formaction=\"javascript:alert(1)\">提交</button></form>",
    "<base href=\"javascript:alert(1)//\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg\">",
    "<img src=x onerror=alert(1)//",
    "<p>未闭合<a href=\"javascript:alert(1)\"",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<!--[if IE]><img src=x onerror=alert(1)><![endif]-->",
    "<template><img src=x onerror=alert(1)></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<table background=\"javascript:alert(1)\"><tr><td>1</td></tr></table>",
    "<img src=\"x` `<script>javascript:alert(1)</script>\"` `>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\">",
    "<a href=\"javas\tcript:alert(1)\">点击</a>",
]

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link",
    "form", "input", "button", "svg", "math", "template", "noscript", "body", "html", "video", "source",
}
FORBIDDEN_ATTRIBUTES = {
    "style", "srcdoc", "formaction", "action", "xlink:href", "background", "dynsrc", "lowsrc", "data",
    "http-equiv", "content", "poster", "codebase",
}
URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "background", "poster", "data"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# Browsers drop tabs and newlines anywhere in a URL and leading C0 controls and spaces before the scheme.
URL_NOISE = re.compile(r"[\t\n\r]")
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would read from an attribute value (entities already decoded), or None."""
    value = URL_NOISE.sub("", value).lstrip("".join(chr(c) for c in range(0x21)))
    match = SCHEME.match(value)
    return match.group(1).lower() if match else None


class Inspector(HTMLParser):
    """Collects every element and attribute as a browser's tokenizer would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def script_capable_constructs(html: str) -> list[str]:
    """Everything in ``html`` that could run script; empty when the HTML is safe."""
    found = []
    parsed = inspect(html)
    found += [f"element <{tag}>" for tag in parsed.elements if tag in FORBIDDEN_ELEMENTS]
    for tag, name, value in parsed.attributes:
        if name.startswith("on"):
            found.append(f"handler {tag}[{name}]")
        if name in FORBIDDEN_ATTRIBUTES:
            found.append(f"attribute {tag}[{name}]")
        if name in URL_ATTRIBUTES:
            scheme = url_scheme(value)
            if scheme is not None and scheme not in SAFE_SCHEMES:
                found.append(f"{scheme}: URL in {tag}[{name}]")
    if re.search(r"<\s*/?\s*(script|style|iframe|object|embed)", html, re.I):
        found.append("raw markup of a script-capable element")
    if "<!--" in html:
        found.append("comment")
    return found


def test_there_are_enough_payloads():
    """The set is broad: at least 25 distinct payloads."""
    assert len(set(XSS_PAYLOADS)) >= 25


def test_the_inspector_recognises_what_it_must_reject():
    """The checker itself finds each kind of danger in unsanitised payloads (so a pass means something)."""
    assert script_capable_constructs("<script>alert(1)</script>")
    assert script_capable_constructs("<img src=x onerror=alert(1)>")
    assert script_capable_constructs('<a href="&#x6A;avascript&colon;alert(1)">x</a>')
    assert script_capable_constructs('<a href=" JaVaScRiPt:alert(1)">x</a>')
    assert script_capable_constructs('<a href="javas\tcript:alert(1)">x</a>')
    assert script_capable_constructs('<p style="width: expression(alert(1))">x</p>')
    assert script_capable_constructs('<iframe srcdoc="x"></iframe>')
    assert not script_capable_constructs('<p><a href="https://www.gov.cn/">政府网</a> <a href="/x.pdf">附件</a></p>')


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_known_xss_payloads_are_neutralised(payload):
    """After cleaning, no element, handler, style or URL scheme that could run script remains."""
    cleaned = clean_html(payload)
    assert script_capable_constructs(cleaned) == [], cleaned


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_cleaning_is_stable(payload):
    """Cleaning already-clean output changes nothing (no mutation on a second pass, e.g. on re-save)."""
    once = clean_html(payload)
    assert clean_html(once) == once


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_wrapped_in_ordinary_text_leave_the_text(payload):
    """The surrounding text a clerk typed survives the removal of a payload."""
    cleaned = clean_html(f"<p>关于公租房配租结果的公告</p>{payload}<p>特此公告。</p>")
    assert "关于公租房配租结果的公告" in cleaned
    assert script_capable_constructs(cleaned) == []


def test_safe_links_stay_and_open_without_opener():
    """http(s), mailto and relative links are kept, with rel="noopener noreferrer"."""
    cleaned = clean_html(
        '<p><a href="https://www.gov.cn/zhengce/">政策</a> <a href="mailto:gongkai@example.gov.cn">邮箱</a> '
        '<a href="/org/419901/">本单位</a></p>'
    )
    hrefs = [value for _tag, name, value in inspect(cleaned).attributes if name == "href"]
    assert hrefs == ["https://www.gov.cn/zhengce/", "mailto:gongkai@example.gov.cn", "/org/419901/"]
    assert cleaned.count('rel="noopener noreferrer"') == 3


WORD_PASTE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">
<meta name=Generator content="Microsoft Word 15 (filtered)">
<style><!-- p.MsoNormal {margin:0cm; font-size:10.5pt; font-family:等线;} --></style>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
</head>
<body lang=ZH-CN style='tab-interval:21.0pt;text-justify-trim:punctuation'>
<div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;
font-family:方正小标宋简体'>清河县2026年第三批公租房配租结果公示</span></b></p>
<p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:仿宋_GB2312'>根据《公共租赁住房管理办法》，
现将配租结果公示如下：<o:p></o:p></span></p>
<ol style='margin-top:0cm' start=1 type=1>
 <li class=MsoNormal style='mso-list:l0 level1 lfo1'>公示期为7个工作日；</li>
 <li class=MsoNormal style='mso-list:l0 level1 lfo1'>如有异议，请书面反映。</li>
</ol>
<ul><li class=MsoListParagraph>联系电话：0370-1234567</li></ul>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'>
 <tr style='mso-yfti-irow:0'>
  <td width=553 colspan=3 valign=top style='width:415.0pt;border:solid windowtext 1.0pt'>
  <p class=MsoNormal align=center style='text-align:center'><b>配租结果</b></p></td>
 </tr>
 <tr>
  <td width=184 style='width:138.0pt'><p class=MsoNormal>序号</p></td>
  <td width=184 style='width:138.0pt'><p class=MsoNormal>申请人</p></td>
  <td width=184 style='width:138.0pt'><p class=MsoNormal>房源</p></td>
 </tr>
 <tr>
  <td><p class=MsoNormal>1</p></td><td><p class=MsoNormal>王**</p></td>
  <td rowspan=1><p class=MsoNormal>幸福小区3号楼2单元501</p></td>
 </tr>
</table>
<p class=MsoNormal><i>清河县住房和城乡建设局</i><u>2026年3月2日</u></p>
</div></body></html>"""


def test_word_pasted_html_keeps_its_structure_and_loses_its_noise():
    """A Word paste keeps paragraphs, bold, italics, lists and tables with colspan; Word's styles,
    classes, conditional comments, namespaced tags and head are gone."""
    cleaned = clean_html(WORD_PASTE)
    parsed = inspect(cleaned)
    elements = parsed.elements
    assert elements.count("p") >= 9
    for tag in ("b", "i", "u", "ol", "ul", "li", "table", "tr", "td"):
        assert tag in elements, tag
    assert elements.count("li") == 3
    assert elements.count("td") == 7
    assert ("td", "colspan", "3") in parsed.attributes
    assert ("p", "align", "center") in parsed.attributes
    assert ("ol", "start", "1") in parsed.attributes
    for text in ("清河县2026年第三批公租房配租结果公示", "公示期为7个工作日", "幸福小区3号楼2单元501", "2026年3月2日"):
        assert text in cleaned
    names = {name for _tag, name, _value in parsed.attributes}
    assert not names & {"class", "style", "lang", "width", "valign", "border"}
    for noise in ("mso-", "MsoNormal", "WordDocument", "o:p", "<meta", "<head", "<html", "<body", "font-family"):
        assert noise not in cleaned, noise
    assert script_capable_constructs(cleaned) == []
