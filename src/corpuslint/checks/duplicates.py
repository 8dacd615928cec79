"""DUP: repeated headlines and paragraphs, inside a document and across the corpus."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from corpuslint.model import Document, Finding, RelatedLocation, Role, Severity
from corpuslint.rule import DocContext, DocumentRule, Rule
from corpuslint.text import normalise


class HeadlineRepeatedOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_similarity: float = Field(default=0.8, ge=0, le=1, description="word-set Jaccard for a near repeat")


class HeadlineRepeatedInBody(DocumentRule):
    """The headline repeated in the body.

    ## What it does
    Finds a body block whose text equals the headline after normalising case, whitespace and punctuation, or
    whose words overlap the headline's almost entirely (a near repeat).

    ## Why is this bad?
    Scrapers often grab the page title twice; the repeat doubles the headline's weight in training data and
    reads as a glitch.

    ## Example
    ```
    Ad sales boost Time Warner profit

    Ad sales boost Time Warner profit      <- DUP001, related location: line 1
    ```
    """

    code = "DUP001"
    name = "headline-repeated-in-body"
    severity = Severity.WARNING
    Options = HeadlineRepeatedOptions

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        headline = doc.headline
        if headline is None:
            return
        wanted = normalise(headline.text)
        wanted_words = set(wanted.split())
        if not wanted_words:
            return
        for block in doc.body:
            if block.role is Role.BULLET:
                continue
            candidate = normalise(block.text)
            if candidate == wanted:
                similarity = 1.0
            else:
                words = set(candidate.split())
                similarity = len(words & wanted_words) / len(words | wanted_words)
                if similarity < self.options.min_similarity:
                    continue
            kind = "exact" if similarity == 1.0 else f"near, Jaccard {similarity:.2f}"
            related = RelatedLocation(location=doc.locate_block(headline), message="the headline")
            yield self.finding(
                doc.locate_block(block),
                f"Headline repeated in the body ({kind})",
                text=block.text,
                evidence={"similarity": round(similarity, 4), "headline": headline.text},
                related=[related],
            )


RULES: list[type[Rule]] = [HeadlineRepeatedInBody]
