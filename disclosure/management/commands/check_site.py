from django.core.management.base import BaseCommand

from disclosure.records import site_checks


class Command(BaseCommand):
    help = (
        "网站检查：检查全部已公开信息正文中的链接和附件（站内链接不经网络，站外链接仅在 LINK_CHECK_EXTERNAL "
        "开启或使用 --external 时访问），以及错敏词。每次检查替换上次的检查发现。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--links", action="store_true", help="只检查链接和附件。")
        parser.add_argument("--wording", action="store_true", help="只检查错敏词。")
        parser.add_argument("--external", action="store_true", help="本次同时访问站外链接。")

    def handle(self, *args, links, wording, external, **options):
        both = not links and not wording
        if links or both:
            summary = site_checks.check_published_links(external=True if external else None)
            self.stdout.write(
                f"链接检查：{summary.records} 条信息，站内链接 {summary.internal} 个，站外链接 {summary.external} 个"
                f"（未访问 {summary.external_skipped} 个），附件 {summary.attachments} 个；"
                f"发现问题 {len(summary.findings)} 处。"
            )
        if wording or both:
            findings = site_checks.check_published_wording()
            self.stdout.write(f"错敏词检查：发现 {len(findings)} 处。")
