"""The 政府信息公开 column of every organisation (国办公开办函〔2019〕61号), with its four fixed sub-columns:

- 政府信息公开指南: the organisation's disclosure guide page;
- 政府信息公开制度: the records filed under the catalog node ``GK01`` (a column like any other);
- 法定主动公开内容: the housing catalog's columns that apply to the organisation;
- 政府信息公开年报: the published annual reports (node ``GK02``), newest first.

Everything listed here comes from ``disclosure.records.selectors.public_records()``.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from catalog import selectors as catalog_selectors
from catalog.models import code_validator
from disclosure.records import selectors
from disclosure.records.disclosure_column import REPORTS_CODE, ROOT_CODE, RULES_CODE
from disclosure.site import fragments

LISTED = 10


@require_safe
def index(request):
    """Every disclosing organisation's 政府信息公开 column; with one organisation, straight to it."""
    organisations = catalog_selectors.public_trees().organisations
    if len(organisations) == 1:
        return redirect("disclosure:disclosure_column", org=organisations[0].code)
    return render(request, "disclosure/site/disclosure_column_index.html", {"organisations": organisations})


@require_safe
def column(request, org):
    """One organisation's 政府信息公开 column: the four sub-columns on one page."""
    if not code_validator.regex.match(org):
        raise Http404("没有找到该机构。")
    trees = catalog_selectors.public_trees()
    organisation = trees.organisation(org)
    if organisation is None:
        raise Http404("没有找到该机构。")
    own = selectors.public_records().filter(organisation=organisation).order_by("-published_at", "-id")
    return render(
        request,
        "disclosure/site/disclosure_column.html",
        {
            "organisation": organisation,
            # Column pages exist for the two record sub-columns only where their nodes are visible.
            "rules_node": trees.node(RULES_CODE),
            "reports_node": trees.node(REPORTS_CODE),
            "rules": list(own.filter(node__code=RULES_CODE)[:LISTED]),
            "reports": list(own.filter(node__code=REPORTS_CODE).select_related("organisation")[:LISTED]),
            # The housing catalog's columns depend on the trees alone: rendered once per tree version.
            "domains_html": fragments.tree_fragment(
                trees,
                "disclosure/site/includes/disclosure_column_domains.html",
                (organisation.pk,),
                lambda: {
                    "organisation": organisation,
                    "domains": [
                        branch
                        for branch in catalog_selectors.applicable_tree(trees.roots, organisation)
                        if branch.node.code != ROOT_CODE
                    ],
                },
            ),
        },
    )
