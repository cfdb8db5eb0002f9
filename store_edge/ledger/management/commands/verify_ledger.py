from typing import Any

from django.core.management.base import BaseCommand, CommandError

from store_edge.ledger.compaction import ledger_verify


class Command(BaseCommand):
    help = "Check the ledger's seq chain: checkpoints, their archives, and no gap after them."

    def handle(self, *args: Any, **options: Any) -> None:
        report = ledger_verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(f"{len(report.problems)} problem(s) in the ledger chain")
        self.stdout.write(
            f"ledger verified: {report.archived} archived and {report.live} live entries, no gap"
        )
