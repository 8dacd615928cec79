"""LANG: stray foreign-language fragments inside a document, found, located and named.

How a document is read, cheapest pass first:
1. Main language: the declared `lang`, else a script profile and function-word shares of the text; langdetect
   (seeded) only when those are unsure.
2. Script runs (`regex` Unicode scripts; pure-ASCII blocks skipped outright): letters in a script the main
   language does not use, e.g. "常见问题" or "Читайте также" in English.
3. Same-script passages: a block is looked at only if it holds a function word of another language or a letter
   the main alphabet lacks; then a sentence with enough words, few function words of the main language and more
   signs of another one is confirmed (and named) by langdetect. On clean English news that is ~1 call in 200
   documents.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import regex
from pydantic import BaseModel, ConfigDict, Field

from corpuslint.model import Block, Document, Finding, Fix, Severity
from corpuslint.rule import DocContext, DocumentRule, Rule, drop_line, drop_span
from corpuslint.text import WORD_RE, sentences, words

# Frequent function words per language: the cheap language signal. Short on purpose; they gate, langdetect decides.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(text.split())
    for lang, text in {
        "en": "the a an of and to in is was that for it on with as at by from he she his her its they their them be"
        " have has had are were been not but or which this these those will would said also who we you our"
        " there after when about than into up out over can could should may might being then if so what where"
        " while some any all no more most such only other i my your him us do does did",
        "fr": "le la les de des du un une et est en que qui dans pour pas au aux ce cette ces il elle ils nous vous"
        " sur par avec ne se sont ont était être avoir plus mais ou son sa ses leur leurs lui été fait comme"
        " tout très bien aussi je on même sans chez donc car où peut encore entre depuis dont après avant"
        " notre votre tous toutes sous nos vos quand",
        "pt": "o a os as de do da dos das e em no na nos nas um uma que é para com não se por mais como mas ao foi"
        " ser são está também seu sua pelo pela isso ele ela já muito há pelos pelas seus suas quando onde"
        " porque ainda entre depois sobre foram tem têm pode sem até nossa nosso cada",
        "nl": "de het een en van in is dat die niet op te zijn voor met er maar ook als aan om dan bij nog wel"
        " wordt werd zo naar deze dit hij zij ze we ik geen heeft hebben door uit zich worden hun haar wat ons"
        " onze waar omdat alleen veel nu nooit tussen",
        "tr": "ve bir bu da de için ile ne o çok daha gibi olarak var ama en kadar sonra olan ben sen biz onlar her"
        " şey değil mi mı ise veya ya önce ancak fakat hem göre olduğu şu ki",
        "sv": "och i att det som en på är av för med till den har de inte om ett men var jag så kan vid sig från"
        " ska också eller efter hade nu blir blev kunde vill mellan mycket sina deras detta dessa varit några"
        " alla hon han vi när mot",
        "nb": "og i at det som en på er av for med til den har de ikke om et men var jeg så kan ved seg fra skal"
        " også eller etter hadde nå blir ble kunne vil mellom mye sine deres dette disse vært noen alle hun"
        " han vi når mot",
        "cs": "a v se na je že to s z do o jsou ale jak po by od pro tak jako které který která také jeho není být"
        " bylo byl byla už jen ve ze jsem bude podle mezi jejich nebo ani když aby proto však tedy při pouze"
        " zde tato tento toto",
        "ro": "și în de la a cu pe că nu care este sau un o să se din pentru mai ca al ale lui fost sunt această"
        " acest dar fi aceasta acestea către după foarte mult între",
        "sw": "na ya wa kwa ni la za katika kama hii huo hiyo pia lakini au kuwa kwamba yake wake ili sana hata"
        " bado kwenye hivyo ambao ambayo wakati zaidi kila baada kabla mimi wewe sisi wao hapa huu hao bila tu"
        " pamoja mpaka kutoka alisema ndani juu",
        "ru": "и в не на что с по он как это к из у а но от за то же о она так его для все был быть бы мы вы они"
        " уже только или",
        "de": "der die das und ist nicht ein eine einen einem einer eines den dem des sich mit auf für von zu im"
        " auch es wie bei aus nach werden wird wurde sind war hat haben oder aber noch nur dass daß kann"
        " können sie wir ich er als um über so mehr diese dieser durch zum zur vom am ihre ihr sein seine uns"
        " wenn wurden unsere zwischen sowie bereits jedoch wieder immer schon sehr alle kein keine dann denn"
        " weil dort nichts ihnen",
        "es": "el la los las de del y en que un una es por para con no se su sus al lo como más pero le ya o fue"
        " este esta son está muy también hay entre sin sobre ha han desde todo nos cuando porque donde hasta"
        " ser estos estas fueron tiene puede nuestro todos después sólo cada otro otra",
        "it": "il lo la i gli le di del della dei delle e è in che un una per con non si sono da al alla ha anche"
        " come più ma questo questa nel nella ci mi essere stato molto alle dal dalla degli sul sulla nei tra"
        " fra dopo ancora solo tutti tutto quando cui quale perché hanno stata ogni poi nostro suo sua loro"
        " così",
        "pl": "i w z na się nie do to że jest o co jak a ale po od za tak dla przez jego jej są był była było tym"
        " ten ta które który która może już bardzo oraz lub też być będzie gdy tylko przy jednak więc między",
        "vi": "và của là có không được cho trong các những một người này với đã đến từ khi cũng như để thì về sẽ"
        " nhiều đó ra làm nhưng nếu vì bị rất đang",
        "da": "og i at det som en på er af for med til den har de ikke om et men var jeg så kan ved sig fra skal"
        " også eller efter havde nu bliver blev kunne vil mellem meget sine deres dette disse været nogle alle"
        " hun han vi når mod",
        "fi": "ja on ei se että oli ovat mutta kun tai myös joka mitä hän ne niin kuin jo vain sen tämä ole olla"
        " voi jos nyt tässä mukaan sekä kanssa jotka joiden jonka tämän sitä hänen olen olisi vielä kaikki"
        " aina paljon jälkeen ennen koska vaan siitä niitä siis eli",
        "hu": "a az és hogy nem is egy meg de van volt csak ez azt már el ki mint még be fel vagy lesz sem kell"
        " után minden lett majd pedig ezt ők mi ti én te nagyon között",
        "id": "yang dan di ke dari ini itu dengan untuk tidak dalam akan pada juga ada adalah oleh saya kami mereka"
        " bisa atau sudah karena tersebut bahwa telah bagi hanya masih sangat lebih namun serta agar antara"
        " setelah kepada sebagai saat harus dapat banyak semua kita anda ia hal",
        "tl": "ang ng sa mga na at si ay ni kay ito hindi para may siya ako ka nga rin din lamang ko mo niya"
        " kanilang kanyang ating aming ngunit upang dahil kung nang noong mula",
        "uk": "і в не на що з по він як це до у а але від за та й про вона так його для все був бути б ми ви вони"
        " вже тільки або",
    }.items()
}
# English words that are also function words elsewhere: never a sign of another language inside English text.
_LOOKALIKES = {
    "en": frozenset(
        "die war hat den bin also man will so was me ten pour see far am come co men per car non met care dem van"
        " door fi com plus pro wake son solo till dal sin era bare under ruin".split()
    )
}

# Letters beyond a-z that each language's own words use (the whole alphabet for Cyrillic).
ALPHABETS: dict[str, str] = {
    lang: letters + letters.upper()
    for lang, letters in {
        "en": "",
        "de": "äöüß",
        "fr": "àâçéèêëîïôûùüÿœæ",
        "es": "áéíóúñü",
        "pt": "áâãàçéêíóôõú",
        "it": "àèéìíîòóùú",
        "nl": "éëïóöü",
        "pl": "ąćęłńóśźż",
        "tr": "çğıöşüâî",
        "vi": "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
        "sv": "åäöé",
        "da": "æøåé",
        "nb": "æøåéô",
        "fi": "äöå",
        "cs": "áčďéěíňóřšťúůýž",
        "hu": "áéíóöőúüű",
        "ro": "ăâîșțşţ",
        "id": "é",
        "sw": "",
        "tl": "ñ",
        "ru": "а-яё",
        "uk": "а-щьюяієїґ",
    }.items()
}
_WORD_LANGUAGES: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, fw in FUNCTION_WORDS.items() if word in fw)
    for word in set().union(*FUNCTION_WORDS.values())
}

LATIN = "Latin"
# Scripts a language is written in; a language not listed is written in Latin.
LANGUAGE_SCRIPTS: dict[str, frozenset[str]] = {
    lang: frozenset(scripts.split())
    for lang, scripts in {
        "zh": "Han",
        "ja": "Han Hiragana Katakana",
        "ko": "Hangul Han",
        "ru": "Cyrillic",
        "uk": "Cyrillic",
        "be": "Cyrillic",
        "bg": "Cyrillic",
        "mk": "Cyrillic",
        "kk": "Cyrillic",
        "mn": "Cyrillic",
        "sr": "Cyrillic Latin",
        "ar": "Arabic",
        "fa": "Arabic",
        "ur": "Arabic",
        "ps": "Arabic",
        "he": "Hebrew",
        "yi": "Hebrew",
        "el": "Greek",
        "hi": "Devanagari",
        "mr": "Devanagari",
        "ne": "Devanagari",
        "bn": "Bengali",
        "pa": "Gurmukhi",
        "gu": "Gujarati",
        "ta": "Tamil",
        "te": "Telugu",
        "kn": "Kannada",
        "ml": "Malayalam",
        "si": "Sinhala",
        "th": "Thai",
        "lo": "Lao",
        "km": "Khmer",
        "my": "Myanmar",
        "ka": "Georgian",
        "hy": "Armenian",
        "am": "Ethiopic",
    }.items()
}
# Scripts that name their language outright; Cyrillic, Arabic, Devanagari, Latin... need language ID.
_SCRIPT_LANGUAGE = {
    "Hangul": "ko",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Han": "zh",
    "Greek": "el",
    "Hebrew": "he",
    "Thai": "th",
    "Bengali": "bn",
    "Georgian": "ka",
    "Armenian": "hy",
    "Gujarati": "gu",
    "Gurmukhi": "pa",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn",
    "Malayalam": "ml",
    "Sinhala": "si",
    "Khmer": "km",
    "Lao": "lo",
    "Myanmar": "my",
    "Ethiopic": "am",
}
SCRIPT_NAMES = tuple(sorted({s for scripts in LANGUAGE_SCRIPTS.values() for s in scripts} - {LATIN}))
_LATIN_LETTER_RE = regex.compile(r"\p{Script=Latin}")
_SCRIPT_RES = tuple((name, regex.compile(rf"\p{{Script={name}}}")) for name in SCRIPT_NAMES)
# ISO 639 codes that declare no particular language: treated as if nothing was declared.
_UNDETERMINED = frozenset({"und", "mul", "zxx", "mis"})
_LANGDETECT_ALIASES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb", "nn": "nb", "iw": "he", "in": "id"}

# Never language: URLs, e-mail addresses, inline code.
# An address starts where a run of its characters starts: tried at every position of a long word, the search
# would be quadratic in the word's length.
_NOT_LANGUAGE_RE = re.compile(r"https?://\S+|www\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|`[^`\n]*`")
_SPACE_RUN_RE = re.compile(" {2,}")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")
# Letters of Latin script, punctuation and symbols only: no foreign-script run can be in such a text (stdlib `re`
# decides this ~20x faster than a `regex` script-property search).
_LATIN_ONLY_RE = re.compile(r"[\x00-\u024f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]*")
_OPENING = "(（[［"
_CLOSING = ")）]］"
_DETECT_SAMPLE_CHARS = 3000
_DETECT_SAMPLE_WORDS = 250
# Function words cannot tell these apart reliably: one of them declared and another guessed is no contradiction.
_NORDIC = frozenset({"da", "nb", "sv"})
# A declared language keeps its place unless langdetect gives it less than this probability.
_DECLARED_KEPT_ABOVE = 0.1
_SHORT_SENTENCE_WORDS = 6
_SHORT_SENTENCE_PROBABILITY = 0.99


def normalise_lang(code: str) -> str:
    """'en-GB' -> 'en', 'zh_Hans' -> 'zh', langdetect's 'zh-cn'/'no' -> 'zh'/'nb'."""
    code = code.strip().lower().replace("_", "-")
    return _LANGDETECT_ALIASES.get(code) or _LANGDETECT_ALIASES.get(code.split("-")[0]) or code.split("-")[0]


def scripts_of(lang: str) -> frozenset[str]:
    return LANGUAGE_SCRIPTS.get(lang, frozenset({LATIN}))


def script_of(text: str) -> str:
    """The script of the first letter of `text` that is not Latin/Common, or 'Latin'/'Other'."""
    for char in text:
        if not char.isalpha():
            continue
        for name, pattern in _SCRIPT_RES:
            if pattern.match(char):
                return name
        return LATIN if _LATIN_LETTER_RE.match(char) else "Other"
    return "Other"


@functools.cache
def foreign_script_pattern(allowed: frozenset[str]) -> regex.Pattern[str]:
    """Runs of characters in none of the `allowed` scripts (Common, Inherited and unassigned always allowed)."""
    classes = "".join(rf"\p{{Script={s}}}" for s in sorted(allowed))
    return regex.compile(rf"[^{classes}\p{{Common}}\p{{Inherited}}\p{{Unknown}}\p{{Co}}]+")


@functools.cache
def foreign_letter_pattern(main: str) -> re.Pattern[str]:
    """A letter the main language's alphabet lacks (e.g. 'ø' or 'ő' in English text); Latin letters count as
    native in a Cyrillic language (brand names)."""
    return re.compile(rf"[^\W\d_a-zA-Z{ALPHABETS.get(main, '')}]")


@functools.cache
def distinctive_words(lang: str) -> frozenset[str]:
    """Function words of `lang` that no other listed language has ('the', not 'on' or 'in')."""
    others = set().union(*(fw for other, fw in FUNCTION_WORDS.items() if other != lang))
    return FUNCTION_WORDS.get(lang, frozenset()) - others


@functools.cache
def foreign_markers(main: str) -> frozenset[str]:
    """Function words of other languages that are not words of `main`: cheap evidence of another language.
    Single letters are left out: "e-mail", "S Korea" and initials would make them fire everywhere."""
    others = {w for lang, fw in FUNCTION_WORDS.items() if lang != main for w in fw if len(w) > 1}
    return frozenset(others - FUNCTION_WORDS.get(main, frozenset()) - _LOOKALIKES.get(main, frozenset()))


# ---- the language-ID detector (langdetect, seeded, profiles loaded once per process) ----


class _ProfileRows(dict):
    """langdetect's n-gram -> per-language probability table with each row built on first read.

    Every n-gram of every profile is a key from the start (the detector tests membership), but its row of 55
    probabilities is computed only when the detector reads it: `DetectorFactory.load_profile` builds all ~88,000
    rows up front, ~0.15 s of CPU per process, while a detection reads a few hundred. A row holds exactly the values
    `DetectorFactory.add_profile` computes, in the same language order, as a numpy array (for `_detect_block`)."""

    def __init__(self, profiles: list[tuple[dict[str, int], list[int]]], width: int) -> None:
        super().__init__(dict.fromkeys(itertools.chain.from_iterable(freq for freq, _ in profiles)))
        self._profiles = profiles  # (n-gram counts, n-grams per length) of each language, in langlist order
        self._width = width

    def __getitem__(self, ngram: str) -> np.ndarray:
        row = dict.__getitem__(self, ngram)
        if row is None:
            values = [0.0] * self._width
            length = len(ngram)
            if 1 <= length <= 3:
                for index, (freq, n_words) in enumerate(self._profiles):
                    count = freq.get(ngram)
                    if count is not None:
                        values[index] = 1.0 * count / n_words[length - 1]
            row = np.array(values)
            dict.__setitem__(self, ngram, row)
        return row


@functools.cache
def _langdetect_factory():  # langdetect ships no type hints
    """langdetect's 55 language profiles, loaded once per process, on first use; seeded for determinism. Read as
    `DetectorFactory.load_profile` reads them (same files, same order), into a `_ProfileRows` table."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    DetectorFactory.seed = 0
    factory = DetectorFactory()
    names = os.listdir(PROFILES_DIRECTORY)
    profiles = []
    for name in names:
        path = os.path.join(PROFILES_DIRECTORY, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as handle:
            profile = json.load(handle)
        factory.langlist.append(profile["name"])
        profiles.append((profile["freq"], profile["n_words"]))
    factory.word_lang_prob_map = _ProfileRows(profiles, len(names))
    return factory


def _append(detector, text: str) -> None:  # langdetect ships no type hints
    """langdetect's `Detector.append`: URLs and e-mail addresses blanked, Vietnamese normalised, at most
    `max_text_length` characters, runs of spaces collapsed; one regex instead of a character loop that copies the
    growing text at every character."""
    from langdetect.utils.ngram import NGram

    text = NGram.normalize_vi(detector.MAIL_RE.sub(" ", detector.URL_RE.sub(" ", text)))
    detector.text += _SPACE_RUN_RE.sub(" ", text[: detector.max_text_length])


def _clean_text(detector) -> None:  # langdetect ships no type hints
    """langdetect's `Detector.cleaning_text` (drop Latin letters from a text mostly in another script), with the
    characters counted once per distinct character; the same test, character for character."""
    from langdetect.utils.unicode_block import unicode_block

    latin = other = 0
    for char, count in Counter(detector.text).items():
        if "A" <= char <= "z":
            latin += count
        elif char >= "\u0300" and unicode_block(char) != "Latin Extended Additional":
            other += count
    if latin * 2 < other:
        detector.text = "".join(char for char in detector.text if char < "A" or char > "z")


_NGRAM_CHARS: dict[str, str] = {}  # character -> langdetect's `NGram.normalize` of it


def _extract_ngrams(text: str, known: dict[str, object]) -> list[str]:
    """langdetect's `Detector._extract_ngrams` (with `NGram.add_char` inlined): the 1- to 3-grams of `text` that
    have a profile row, in order. `NGram.normalize` is a pure function of one character, so it is looked up once
    per distinct character instead of once per position (it was most of the cost on a long text)."""
    from langdetect.utils.ngram import NGram

    chars = _NGRAM_CHARS
    found: list[str] = []
    grams, capital_word = " ", False
    for char in text:
        char = chars.get(char) or chars.setdefault(char, NGram.normalize(char))
        last = grams[-1]
        if last == " ":
            grams, capital_word = " ", False
            if char == " ":
                continue  # nothing to add: the only n-gram would be " "
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += char
        # Inside a word of capitals (two in a row) nothing counts, as in `NGram.add_char`.
        capital_word = (capital_word or last.isupper()) if char.isupper() else False
        if capital_word:
            continue
        for size in (1, 2, 3):
            if len(grams) < size:
                break
            gram = grams[-size:]
            if gram != " " and gram in known:
                found.append(gram)
    return found


def _detect_block(detector) -> None:  # langdetect ships no type hints
    """langdetect's `Detector._detect_block` (without a prior map: `identify` sets none) with each trial's
    probabilities in a numpy array instead of a list updated one language at a time (~1.7x faster). The same random
    draws and the same floating-point operations in the same order (elementwise sums, products and quotients, a
    left-to-right Python sum), so the probabilities are bit-identical."""
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException

    _clean_text(detector)
    ngrams = _extract_ngrams(detector.text, detector.word_lang_prob_map)
    if not ngrams:
        raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
    rows, size, trials, draw = detector.word_lang_prob_map, len(detector.langlist), detector.n_trial, detector.random
    built_row = dict.get  # a row already built, without `_ProfileRows.__getitem__`'s Python-level call
    factors = np.empty(size)
    total = np.zeros(size)
    draw.seed(detector.seed)
    for _ in range(trials):
        probabilities = np.full(size, 1.0 / size)
        weight = (detector.alpha + draw.gauss(0.0, 1.0) * detector.ALPHA_WIDTH) / detector.BASE_FREQ
        step = 0
        while True:
            ngram = draw.choice(ngrams)
            row = built_row(rows, ngram)
            np.add(weight, rows[ngram] if row is None else row, out=factors)
            probabilities *= factors
            if step % 5 == 0:
                probabilities /= sum(probabilities.tolist())
                if probabilities.max() > detector.CONV_THRESHOLD or step >= detector.ITERATION_LIMIT:
                    break
            step += 1
        total += probabilities / trials
    detector.langprob = total.tolist()


def identify(text: str) -> list[tuple[str, float]]:
    """Languages of `text` with their probabilities, most probable first (empty when nothing can be detected)."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _langdetect_factory().create()
    _append(detector, text)
    try:
        _detect_block(detector)
        found = detector.get_probabilities()
    except LangDetectException:
        return []
    merged: dict[str, float] = {}
    for item in found:
        code = normalise_lang(item.lang)
        merged[code] = merged.get(code, 0.0) + item.prob
    return sorted(merged.items(), key=lambda kv: -kv[1])


def best_language(text: str) -> tuple[str, float]:
    found = identify(text)
    return found[0] if found else ("und", 0.0)


# ---- main language ----


def document_text(doc: Document, ctx: DocContext) -> tuple[str, bool]:
    """All of the document's text (its blocks joined by line breaks), and whether it is Latin script, punctuation
    and symbols only; memoised, for the main-language sample and LANG001's document-wide gates."""

    def compute() -> tuple[str, bool]:
        text = "\n".join(block.text for block in doc.blocks)
        return text, _LATIN_ONLY_RE.fullmatch(text) is not None

    return ctx.memo("lang.text", compute)


@dataclass(frozen=True)
class MainLanguage:
    code: str  # ISO 639-1, or "und" when unknown
    source: str  # "declared" or "detected"
    scripts: frozenset[str]
    declared: str | None = None  # the declared code when the text contradicts it
    probability: float | None = None  # langdetect's probability for `code`, when langdetect decided


def main_language(doc: Document, ctx: DocContext) -> MainLanguage:
    """The declared `lang` unless the text clearly contradicts it, else the detected language (memoised per
    document, shared by every LANG rule)."""
    return ctx.memo("lang.main", lambda: _main_language(doc, ctx))


def _main_language(doc: Document, ctx: DocContext) -> MainLanguage:
    sample = _Sample(doc.blocks, ctx, latin_only=document_text(doc, ctx)[1])
    declared = normalise_lang(doc.lang) if doc.lang else None
    if declared and declared not in _UNDETERMINED:
        cheap = sample.cheap_language()
        if cheap in (None, "und", declared) or {cheap, declared} <= _NORDIC:
            return MainLanguage(declared, "declared", scripts_of(declared))
        # The cheap passes disagree with the declaration: let langdetect settle it (rare, so affordable).
        found = dict(identify(sample.text))
        detected, probability = max(found.items(), key=lambda kv: kv[1], default=(declared, 0.0))
        if found.get(declared, 0.0) >= _DECLARED_KEPT_ABOVE or detected == declared:
            return MainLanguage(declared, "declared", scripts_of(declared))
        return MainLanguage(detected, "detected", scripts_of(detected), declared, round(probability, 4))
    cheap = sample.cheap_language()
    if cheap is not None:
        return MainLanguage(cheap, "detected", scripts_of(cheap))
    detected, probability = best_language(sample.text)
    return MainLanguage(detected, "detected", scripts_of(detected), probability=round(probability, 4))


class _Sample:
    """The longest blocks of a document, up to a few thousand characters: enough to tell its language."""

    def __init__(self, blocks: Sequence[Block], ctx: DocContext, *, latin_only: bool = False) -> None:
        self.blocks: list[Block] = []
        size = 0
        for block in sorted(blocks, key=lambda b: -len(b.text))[:8]:
            self.blocks.append(block)
            size += len(block.text)
            if size >= _DETECT_SAMPLE_CHARS:
                break
        self.text = "\n".join(b.text for b in self.blocks)[:_DETECT_SAMPLE_CHARS]
        self.ctx = ctx
        self.latin_only = latin_only  # known to be Latin script only (a part of such a document)

    def cheap_language(self) -> str | None:
        """The language by script profile, then by function-word shares; None when those are unsure."""
        script = dominant_script(self.text, latin_only=self.latin_only)
        if script is None:
            return "und"
        if script == "Han" and regex.search(r"[\p{Hiragana}\p{Katakana}]", self.text):
            return "ja"
        if script in _SCRIPT_LANGUAGE:
            return _SCRIPT_LANGUAGE[script]
        tokens = list(
            itertools.islice(itertools.chain.from_iterable(map(self.ctx.words, self.blocks)), _DETECT_SAMPLE_WORDS)
        )
        return language_by_function_words(tokens)


def dominant_script(text: str, *, latin_only: bool = False) -> str | None:
    """The script of most of the letters of `text` (None without letters); `latin_only` when the caller already
    knows that `text` has no letter outside Latin script."""
    if latin_only or _LATIN_ONLY_RE.fullmatch(text):
        return LATIN if any(c.isalpha() for c in text) else None
    foreign: dict[str, int] = {}
    for run in foreign_script_pattern(frozenset({LATIN})).findall(text):
        name = script_of(run)
        foreign[name] = foreign.get(name, 0) + len(run)
    name, count = max(foreign.items(), key=lambda kv: kv[1], default=(LATIN, 0))
    # Letters are most of the non-space characters in any script: compare with those, not a per-character loop.
    visible = len(text) - text.count(" ") - text.count("\n")
    return name if count * 5 > visible * 2 else LATIN


def language_by_function_words(tokens: Sequence[str]) -> str | None:
    """The language whose function words make up a clear share of `tokens`, if one clearly leads."""
    if len(tokens) < 20:
        return None
    # Fast path for the usual case: words only English has ("the", "of", "and") are an eighth of English text.
    if sum(map(distinctive_words("en").__contains__, tokens)) >= 0.12 * len(tokens):
        return "en"
    hits: Counter[str] = Counter()
    for word, count in Counter(tokens).items():
        for lang in _WORD_LANGUAGES.get(word, ()):
            hits[lang] += count
    ranked = [*hits.most_common(2), ("und", 0), ("und", 0)]
    (lang, best), (_, second) = ranked[0], ranked[1]
    return lang if best >= 0.2 * len(tokens) and best >= 1.5 * second else None


# ---- fragments ----


@dataclass
class Piece:
    """A foreign stretch of one block: [start, end) relative to the block."""

    block: Block
    start: int
    end: int
    kind: str  # "script" or "language"
    label: str  # script name or language code
    language: str  # language code ("und" when only the script is known)
    probability: float | None = None


class ForeignFragmentOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowed_languages: list[str] = Field(
        default_factory=list, description="languages never reported, e.g. ['la'] (ISO 639-1 codes)"
    )
    allowed_scripts: list[str] = Field(
        default_factory=list, description="Unicode scripts never reported, e.g. ['Greek'] (names as in \\p{Script=...})"
    )
    min_script_letters: int = Field(default=2, ge=1, description="letters a foreign-script run needs to be reported")
    min_words: int = Field(
        default=3,
        ge=1,
        description="words a same-script sentence (or a Latin run in a non-Latin document) needs to be checked",
    )
    min_probability: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="language-ID probability that a same-script sentence is not in the main language"
        " (sentences under 6 words need 0.99)",
    )
    max_main_share: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="a sentence with a larger share of main-language function words is taken as main language",
    )
    allow_glosses: bool = Field(
        default=True, description="accept a short foreign-script gloss in parentheses, as in `Xi Jinping (习近平)`"
    )


class ForeignFragment(DocumentRule):
    """Text in a language other than the document's main language.

    ## What it does
    Finds the exact span of a foreign-language fragment: a run of letters in a script the document's main
    language does not use (Han, Cyrillic, Arabic, ... inside English; Latin sentences inside Chinese), or a
    sentence in another language of the same script (a German sentence in an English article), confirmed by
    language identification. Adjacent foreign pieces in the same language merge into one span. The main language
    is the declared `lang` field, else detected; when the text clearly contradicts the declaration (LANG002),
    the detected language, so a mislabelled document is not reported sentence by sentence.

    Not reported: names and loanwords in running text ("Gérard Depardieu", "in absentia", "Zeitgeist"), numbers,
    URLs, e-mail addresses, inline code, emoji, and a short foreign-script gloss in parentheses (`Xi Jinping
    (习近平)`, unless `allow-glosses = false`). Latin-script runs inside a non-Latin document need `min-words`
    words, two of them in lower case, so brand names ("New York Times", "iPhone 15") pass.

    ## Why is this bad?
    Scrapers leave template leftovers ("Lesen Sie auch", "Читайте также", "常见问题") and broken extractors paste
    paragraphs of another page; document-level language ID cannot see them, yet they teach a model to switch
    language mid-text.

    ## Example
    ```
    The firm said profits rose 76%.
    Lesen Sie auch: Die Aktie fällt nach der Prognose deutlich.   <- LANG001 (de, p=1.00)
    常见问题                                                       <- LANG001 (script Han, zh)
    ```
    """

    code = "LANG001"
    name = "foreign-fragment"
    severity = Severity.WARNING
    Options = ForeignFragmentOptions

    def __init__(self, options: BaseModel | None = None) -> None:
        super().__init__(options)
        self._allowed_languages = frozenset(normalise_lang(code) for code in self.options.allowed_languages)
        self._allowed_scripts = frozenset(self.options.allowed_scripts)

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        main = main_language(doc, ctx)
        blocks = doc.blocks
        clean = _CleanDocument(*document_text(doc, ctx), main)
        for block in blocks:
            if not block.text or clean.block_is_clean(block, ctx):
                continue
            for piece in merge_pieces(self._pieces(block, main, ctx)):
                yield self._finding(doc, main, piece)

    def _pieces(self, block: Block, main: MainLanguage, ctx: DocContext) -> list[Piece]:
        text = _mask_non_language(block.text)
        latin_only = _LATIN_ONLY_RE.fullmatch(text) is not None
        pieces = [] if latin_only and LATIN in main.scripts else list(self._script_pieces(block, text, main))
        if main.code in FUNCTION_WORDS and (
            not foreign_markers(main.code).isdisjoint(ctx.words(block))
            or (not text.isascii() and foreign_letter_pattern(main.code).search(text) is not None)
        ):
            pieces.extend(self._language_pieces(block, text, main, pieces))
        return sorted(pieces, key=lambda p: p.start)

    def _script_pieces(self, block: Block, text: str, main: MainLanguage) -> Iterator[Piece]:
        options = self.options
        allowed = main.scripts | self._allowed_scripts
        for start, end in _merged_runs(text, foreign_script_pattern(allowed)):
            span = text[start:end]
            script = script_of(span)
            if script in self._allowed_scripts:
                continue
            if script == LATIN:
                # Inside a non-Latin document: a sentence, not a brand name ("New York Times", "iPhone 15").
                tokens = WORD_RE.findall(span)
                if len(tokens) < options.min_words or sum(t.islower() and len(t) > 1 for t in tokens) < 2:
                    continue
            elif sum(c.isalpha() for c in span) < options.min_script_letters:
                continue
            if options.allow_glosses and _is_gloss(text, start, end):
                continue
            start, end = _widen(text, start, end)
            language, probability = self._name_script_run(span, script)
            if language in self._allowed_languages:
                continue
            yield Piece(block, start, end, "script", script, language, probability)

    def _name_script_run(self, span: str, script: str) -> tuple[str, float | None]:
        if script == "Han" and regex.search(r"[\p{Hiragana}\p{Katakana}]", span):
            return "ja", None
        if script in _SCRIPT_LANGUAGE:
            return _SCRIPT_LANGUAGE[script], None
        language, probability = best_language(span)
        return language, round(probability, 4)

    def _language_pieces(self, block: Block, text: str, main: MainLanguage, known: list[Piece]) -> Iterator[Piece]:
        for start, end in sentences(text):
            if any(p.start < end and start < p.end for p in known):
                continue
            sentence = text[start:end]
            count = self._unsure_word_count(sentence, main.code)
            if not count:
                continue
            found = identify(sentence)
            main_probability = sum(p for lang, p in found if lang == main.code)
            foreign = [(lang, p) for lang, p in found if lang != main.code]
            # langdetect is noisier on a handful of words: a short sentence must be foreign beyond doubt.
            needed = self.options.min_probability if count >= _SHORT_SENTENCE_WORDS else _SHORT_SENTENCE_PROBABILITY
            if not foreign or 1.0 - main_probability < max(needed, self.options.min_probability):
                continue
            language, probability = foreign[0]
            if language not in self._allowed_languages:
                yield Piece(block, start, end, "language", language, language, round(probability, 4))

    def _unsure_word_count(self, sentence: str, main: str) -> int:
        """Cheap test: could this sentence be in another language of the same script? Few function words that
        only the main language has, more signs of another language (its function words, words with letters the
        main alphabet lacks), and not a list of names (those have hardly any lower-case words). Returns the
        sentence's word count if so, else 0."""
        tokens = [t for t in WORD_RE.findall(sentence) if t.isalpha()]
        count = len(tokens)
        if count < self.options.min_words:
            return 0
        lowered = [t.lower() for t in tokens]
        main_hits = sum(map(distinctive_words(main).__contains__, lowered))
        if main_hits > self.options.max_main_share * count:
            return 0
        if sum(t.islower() and len(t) >= 3 for t in tokens) < max(1, count / 5):
            return 0
        markers = foreign_markers(main)
        # Capitalised words are names ("Dan", "Da Vinci", "De Niro"), except the first word of the sentence.
        marker_hits = sum(t in markers for t, word in zip(lowered, tokens, strict=True) if word.islower())
        marker_hits += not tokens[0].islower() and lowered[0] in markers
        evidence = marker_hits
        if not sentence.isascii():  # an ASCII word has no letter outside a-z
            unusual = foreign_letter_pattern(main)
            evidence += sum(unusual.search(t) is not None for t in tokens)
        return count if evidence > main_hits and (evidence >= 2 or main_hits == 0) else 0

    def _finding(self, doc: Document, main: MainLanguage, piece: Piece) -> Finding:
        text = piece.block.text[piece.start : piece.end]
        if piece.kind == "script":
            what = f"{piece.label} script, language {piece.language}"
        else:
            what = f"language {piece.language}, p={piece.probability:.2f}"
        main_text = f"{main.code} ({main.source}{f', declared {main.declared}' if main.declared else ''})"
        return self.finding(
            doc.locate_block(piece.block, piece.start, piece.end),
            f"Foreign-language fragment ({what}) in a document whose main language is {main_text}: {_clip(text)!r}",
            text=text,
            evidence={
                "language": piece.language,
                "probability": piece.probability,
                "script": piece.label if piece.kind == "script" else None,
                "detected_by": piece.kind,
                "main_language": main.code,
                "main_language_source": main.source,
            },
            fix=_removal(doc, piece.block, piece.start, piece.end),
        )


def _has_foreign_letter(text: str, main: str) -> bool:
    """`foreign_letter_pattern(main).search(text) is not None`, tested on the distinct non-ASCII characters only
    (the pattern matches none of ASCII): one scan for them is ~2x faster than the pattern's over a whole text."""
    if text.isascii():
        return False
    pattern = foreign_letter_pattern(main)
    return any(pattern.match(char) for char in set(_NON_ASCII_RE.findall(text)))


class _CleanDocument:
    """The letter and script gates of `ForeignFragment._pieces`, tested on the whole document at once (most
    documents pass them whole), so that a block needs only its function-word test. Masking URLs in `_pieces` only
    turns characters into spaces: a block of a document that passes a test here passes it in `_pieces` too."""

    def __init__(self, text: str, latin_only: bool, main: MainLanguage) -> None:
        self.main = main.code
        self.no_foreign_script = LATIN in main.scripts and latin_only
        self.checks_words = main.code in FUNCTION_WORDS
        self.no_foreign_letter = not self.checks_words or not _has_foreign_letter(text, main.code)

    def block_is_clean(self, block: Block, ctx: DocContext) -> bool:
        """True when `_pieces` would find nothing in `block` without looking at its sentences."""
        return (
            self.no_foreign_script
            and self.no_foreign_letter
            and (not self.checks_words or foreign_markers(self.main).isdisjoint(ctx.words(block)))
        )


_TRAILING = " \t.…:;,!?·|-–—"


def _removal(doc: Document, block: Block, start: int, end: int) -> Fix:
    """Removing a fragment is safe when it stands alone (its whole block, its own line, or the end of its
    block); removing one from the middle of running text is offered as an unsafe fix."""
    text = block.text
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[line_start:start].strip() and not text[end:line_end].strip(_TRAILING):
        return drop_line(doc, block, start, end, "remove the foreign fragment's line")
    if not text[end:].strip(_TRAILING):
        return drop_span(block, start, len(text), "remove the foreign fragment at the end of the paragraph")
    return drop_span(block, start, end, "remove the foreign fragment from the sentence", safe=False)


def _mask_non_language(text: str) -> str:
    """`text` with URLs, e-mail addresses and inline code blanked out (offsets unchanged)."""
    if "/" not in text and "@" not in text and "`" not in text and "www." not in text:
        return text
    return _NOT_LANGUAGE_RE.sub(lambda m: " " * len(m.group()), text)


def _merged_runs(text: str, pattern: regex.Pattern[str]) -> list[tuple[int, int]]:
    """Foreign-script runs, joined when only spaces, punctuation, digits or at most two allowed-script words
    (a brand name inside a Chinese sentence) separate them on the same line."""
    runs: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if runs:
            gap = text[runs[-1][1] : start]
            if "\n" not in gap and "\r" not in gap and len(gap) <= 24 and len(words(gap)) <= 2:
                runs[-1] = (runs[-1][0], end)
                continue
        runs.append((start, end))
    return runs


_TERMINAL = "。！？!?.…"
# Figures and spaces between a run's last letter and its sentence's end ("from 10 to 14."), and before its first
# letter at a sentence start ("2019年，..." or "10 people were ..." after "。").
_TAIL_RE = re.compile(r"[ \t\d$€£¥%,:/'’-]*?[。！？!?.…]+")
_HEAD_RE = re.compile(r"(?:^|(?<=[\n。！？!?.…]))[ \t]*(?:[¿¡]|[$€£¥]?\d[\d,.:%]*[ \t]*)*$")


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in the fragment's own figures and terminal punctuation ("。", "?", "from 10 to 14.") and Spanish
    opening marks; quotes and brackets around it belong to the host sentence."""
    head = _HEAD_RE.search(text, max(0, start - 24), start)
    if head is not None:
        start = head.start() + len(head.group()) - len(head.group().lstrip())
    tail = _TAIL_RE.match(text, end)
    if tail is not None:
        end = tail.end()
    return start, end


def _is_gloss(text: str, start: int, end: int) -> bool:
    """A short run inside parentheses that follow a (transliterated) name: `Xi Jinping (习近平)`."""
    opening = max(text.rfind(c, 0, start) for c in _OPENING)
    closing = min((i for c in _CLOSING if (i := text.find(c, end)) >= 0), default=-1)
    if opening < 0 or closing < 0 or closing - opening > 40:
        return False
    inside = text[opening + 1 : closing]
    if any(c in inside for c in _OPENING + _CLOSING) or "。" in inside:
        return False
    before = text[:opening].rstrip()
    return bool(before) and before[-1].isalpha()


def merge_pieces(pieces: list[Piece]) -> list[Piece]:
    """Join pieces of one block in the same language that only whitespace or punctuation separates."""
    merged: list[Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.language == piece.language
            and piece.language != "und"
            and not any(c.isalnum() for c in piece.block.text[last.end : piece.start])
        ):
            last.end = max(last.end, piece.end)
            if piece.probability is not None and last.probability is not None:
                last.probability = min(last.probability, piece.probability)
            continue
        merged.append(piece)
    return merged


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class DeclaredLanguageMismatch(DocumentRule):
    """The declared `lang` contradicts the language the text is written in.

    ## What it does
    Compares a document's declared `lang` (JSON field or front matter) with its text: a script profile and
    function-word shares first, and, only when those point elsewhere, langdetect. Reports the document when
    langdetect gives the declared language less than a 0.1 probability. Related languages that langdetect
    itself confuses (da/nb/sv) stay quiet as long as the declared one keeps that probability. LANG001 then
    measures fragments against the detected language instead of reporting every sentence.

    ## Why is this bad?
    A wrong `lang` sends the document to the wrong language split, tokenizer or filter threshold, and every
    per-language statistic downstream inherits the error.

    ## Example
    ```
    {"lang": "en", "title": "Regierung plant Reform", "body": "Die Bundesregierung will ..."}
                                                      <- LANG002: declared en, text is de (p=1.00)
    ```
    """

    code = "LANG002"
    name = "declared-language-mismatch"
    severity = Severity.WARNING

    def check(self, doc: Document, ctx: DocContext) -> Iterable[Finding]:
        if not doc.lang or not doc.blocks:
            return
        main = main_language(doc, ctx)
        if main.declared is None:
            return
        first = doc.headline or doc.blocks[0]
        probability = f"p={main.probability:.2f}" if main.probability is not None else "by script"
        declared = repr(doc.lang) if doc.lang == main.declared else f"{doc.lang!r} ({main.declared})"
        yield self.finding(
            doc.locate_block(first),
            f"Declared language {declared} but the text is in {main.code} ({probability})",
            text=doc.lang,
            evidence={
                "declared": main.declared,
                "detected": main.code,
                "probability": main.probability,
                "scripts": sorted(main.scripts),
            },
        )


RULES: list[type[Rule]] = [ForeignFragment, DeclaredLanguageMismatch]
