"""A deterministic labelled corpus of complaint-like texts for the grouping bench.

About 30% of the texts restate a shared grievance (as different people would:
swapped and changed words, typos, sentences reordered, added or dropped, other
order numbers and amounts), the rest are singletons, among them hard negatives
that keep most of a grievance's words but change what it is about. About 10%
are in Devanagari (Hindi, Nepali), Tamil or Telugu script, a few in Spanish.

Words are drawn with Zipf frequencies from a small list of real words (our own)
followed by a large generated vocabulary (syllables of each script, with vowel
signs and viramas), so that common words are shared by unrelated texts as in
real posts. Same seed, same corpus.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass


def _words(text: str) -> list[str]:
    return text.split()


COMMON = {
    "en": _words(
        "the i my to and a it was of for in not is they have me no this order on with "
        "that after but customer service refund still been days delivery never product "
        "received money back again we week call told support app account charged payment "
        "item wrong damaged broken months waiting nobody replied email complaint "
        "cancelled replacement store manager phone number worst experience promised "
        "package late missing card bank twice deducted ticket escalate"
    ),
    "es": _words(
        "el la de que y mi no pedido en un una por para me con dinero reembolso atención "
        "cliente nunca llegó días semanas producto roto cobro tarjeta"
    ),
    "hi": _words(
        "मेरा है नहीं का की के में और को से ऑर्डर पैसे वापस ग्राहक सेवा दिन हफ्ते कोई "
        "जवाब शिकायत खाता कार्ड कटे गलत टूटा सामान डिलीवरी"
    ),
    "ne": _words(
        "मेरो छ छैन र को मा पैसा फिर्ता ग्राहक सेवा दिन हप्ता कुनै जवाब गुनासो खाता कार्ड "
        "काटियो गलत सामान डेलिभरी आएन"
    ),
    "ta": _words(
        "என் ஆர்டர் இல்லை பணம் திரும்ப வாடிக்கையாளர் சேவை மற்றும் இந்த நாட்கள் வாரம் "
        "பதில் புகார் கணக்கு அட்டை தவறான உடைந்த பொருள் டெலிவரி வரவில்லை"
    ),
    "te": _words(
        "నా ఆర్డర్ లేదు డబ్బు తిరిగి కస్టమర్ సేవ మరియు ఈ రోజులు వారం సమాధానం ఫిర్యాదు "
        "ఖాతా కార్డు తప్పు విరిగిన వస్తువు డెలివరీ రాలేదు"
    ),
}
# Consonants, vowel signs and the virama of each script, for generated words.
SYLLABLES = {
    "en": ("bcdfghjklmnprstvwz", "aeiou", ""),
    "es": ("bcdfglmnprstv", "aeiouáé", ""),
    "hi": (
        "कखगघचजटडतदनपबमयरलवशसह",
        "\u093e\u093f\u0940\u0941\u0942\u0947\u0948\u094b\u094c",
        "\u094d",
    ),
    "ne": ("कखगचजटडतदनपबमयरलवसह", "\u093e\u093f\u0940\u0941\u0947\u094b", "\u094d"),
    "ta": (
        "கஙசஞடணதநபமயரலவழளறன",
        "\u0bbe\u0bbf\u0bc0\u0bc1\u0bc2\u0bc6\u0bc7\u0bc8\u0bca\u0bcb",
        "\u0bcd",
    ),
    "te": (
        "కగచజటడతదనపబమయరలవశసహ",
        "\u0c3e\u0c3f\u0c40\u0c41\u0c42\u0c46\u0c47\u0c48\u0c4a\u0c4b",
        "\u0c4d",
    ),
}
LANGUAGE_WEIGHTS = (
    ("en", 0.85),
    ("es", 0.05),
    ("hi", 0.03),
    ("ne", 0.02),
    ("ta", 0.025),
    ("te", 0.025),
)
VOCABULARY_SIZE = 30_000


@dataclass
class Corpus:
    texts: list[str]
    labels: list[int]  # texts with the same label restate the same grievance
    languages: list[str]


class _Language:
    def __init__(self, code: str, rng: random.Random) -> None:
        consonants, vowels, virama = SYLLABLES[code]
        words = list(COMMON[code])
        seen = set(words)
        while len(words) < VOCABULARY_SIZE:
            word = "".join(
                self._syllable(rng, consonants, vowels, virama) for _ in range(rng.randint(1, 4))
            )
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.code, self.words, self.vowels = code, words, vowels
        self.cumulative = list(itertools.accumulate(1 / (r + 8) for r in range(len(words))))

    @staticmethod
    def _syllable(rng: random.Random, consonants: str, vowels: str, virama: str) -> str:
        s = rng.choice(consonants)
        if virama and rng.random() < 0.2:
            s += virama + rng.choice(consonants)
        if virama:  # an abugida: the inherent vowel, or a vowel sign
            return s + (rng.choice(vowels) if rng.random() < 0.7 else "")
        return s + rng.choice(vowels)

    def word(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.words[bisect.bisect_left(self.cumulative, x)]

    def sentence(self, rng: random.Random) -> list[str]:
        words = [self.word(rng) for _ in range(rng.randint(6, 16))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), _number(rng))
        return words


def _number(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"#{rng.randint(1000, 99999)}"
    if kind < 0.7:
        return f"${rng.randint(5, 900)}.{rng.randint(0, 99):02d}"
    return str(rng.randint(2, 60))


def _text(sentences: list[list[str]]) -> str:
    return " ".join(" ".join(s).capitalize() + "." for s in sentences)


def _typo(word: str, rng: random.Random, lang: _Language) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    op = rng.random()
    if op < 0.3:
        return word[:i] + word[i + 1 :]
    if op < 0.6 and lang.vowels:
        return word[:i] + rng.choice(lang.vowels) + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _restate(base: list[list[str]], rng: random.Random, lang: _Language) -> list[list[str]]:
    """Another person telling the same grievance."""
    sentences = [list(s) for s in base]
    if len(sentences) > 2 and rng.random() < 0.4:  # told in another order
        i, j = rng.sample(range(len(sentences)), 2)
        sentences[i], sentences[j] = sentences[j], sentences[i]
    if rng.random() < 0.3:  # an extra short sentence
        sentences.insert(rng.randrange(len(sentences) + 1), lang.sentence(rng)[:6])
    words = [w for s in sentences for w in s]
    n = len(words)
    for _ in range(max(1, n // 30)):  # typos
        k = rng.randrange(len(sentences))
        if sentences[k]:
            i = rng.randrange(len(sentences[k]))
            sentences[k][i] = _typo(sentences[k][i], rng, lang)
    for _ in range(max(1, n // 40)):  # a word put differently
        k = rng.randrange(len(sentences))
        if sentences[k]:
            sentences[k][rng.randrange(len(sentences[k]))] = lang.word(rng)
    for _ in range(max(1, n // 40)):  # swapped neighbours
        k = rng.randrange(len(sentences))
        if len(sentences[k]) > 1:
            i = rng.randrange(len(sentences[k]) - 1)
            sentences[k][i], sentences[k][i + 1] = sentences[k][i + 1], sentences[k][i]
    return [[_number(rng) if w[0] in "#$" or w.isdigit() else w for w in s] for s in sentences]


def _hard_negative(base: list[list[str]], rng: random.Random, lang: _Language) -> list[list[str]]:
    """A different grievance told with many of the same words: about 40% changed."""
    out = []
    for s in base:
        out.append([lang.word(rng) if rng.random() < 0.4 else w for w in s])
    return out


def generate(n: int, *, seed: int = 20240611, shared: float = 0.30) -> Corpus:
    rng = random.Random(seed)
    langs = {code: _Language(code, random.Random(f"{seed}:{code}")) for code, _ in LANGUAGE_WEIGHTS}
    codes = [c for c, _ in LANGUAGE_WEIGHTS]
    weights = [w for _, w in LANGUAGE_WEIGHTS]
    texts: list[str] = []
    labels: list[int] = []
    languages: list[str] = []
    label = 0
    n_shared = int(n * shared)
    while len(texts) < n_shared:
        code = rng.choices(codes, weights)[0]
        lang = langs[code]
        base = [lang.sentence(rng) for _ in range(max(1, int(rng.lognormvariate(1.6, 0.5))))]
        size = min(2 + int(rng.paretovariate(1.3)), n_shared - len(texts) + 1, 400)
        for _ in range(max(size, 2)):
            texts.append(_text(_restate(base, rng, lang)))
            labels.append(label)
            languages.append(code)
        label += 1
        if rng.random() < 0.3:  # a hard negative of this grievance, alone
            texts.append(_text(_hard_negative(base, rng, lang)))
            labels.append(label)
            languages.append(code)
            label += 1
    while len(texts) < n:
        code = rng.choices(codes, weights)[0]
        lang = langs[code]
        k = max(1, int(rng.lognormvariate(1.6, 0.5)))
        texts.append(_text([lang.sentence(rng) for _ in range(k)]))
        labels.append(label)
        languages.append(code)
        label += 1
    order = list(range(len(texts)))
    rng.shuffle(order)
    texts = [texts[i] for i in order][:n]
    return Corpus(texts, [labels[i] for i in order][:n], [languages[i] for i in order][:n])
