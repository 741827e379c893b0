"""A labelled corpus of complaints built from stock sentences, for the grouping bench.

Real complaints share whole sentences: every refund story says "they promised
a refund within 15 days", every account story that "live chat read from a
script". Texts here are a handful of sentences drawn (with Zipf popularity)
from one pool of such stock sentences, with the item, amounts, dates and day
counts filled in per text, so unrelated texts often share two or three whole
sentences. About 30% of the texts restate a shared grievance (the story of one
person told again by others: sentences reordered, one dropped or added, typos,
a word put differently, neighbours swapped, other amounts and dates); the rest
are singletons told with the same stock sentences.

This is the shape that defeats blocking on word pairs: two unrelated texts that
share two stock sentences look like candidates. Sizes follow the texts the
shape was reported on (median about 435 characters, 90th percentile about
585). The sentences below are our own. Same seed, same corpus.
"""

from __future__ import annotations

import bisect
import itertools
import random

from corpus import Corpus, _Language

# {item} a product, {amount} money, {days} a count of days, {date} a date,
# {channel} a way of contacting the company, {n} a small number.
TEMPLATES = (
    "I ordered a {item} on {date} and it still has not arrived.",
    "They promised a refund of {amount} within {days} days but nothing has come.",
    "My account was blocked and {channel} read from a script and did not listen.",
    "The tracking page has said out for delivery for {days} days.",
    "I was charged {amount} twice for the same {item} and the bank says it is their fault.",
    "Nobody answers the phone and the hold music plays for an hour before it cuts off.",
    "I returned the {item} on {date} with a receipt from the post office.",
    "The {item} arrived broken and the box was clearly opened before.",
    "When I asked for a manager they said none was available until {date}.",
    "I have sent {n} emails and every reply is the same copied paragraph.",
    "The refund was approved on {date} but the money never reached my card.",
    "They cancelled my order for the {item} without telling me and kept the {amount}.",
    "Customer service closed my ticket without solving anything.",
    "The app logs me out every time I try to pay and support says to reinstall it.",
    "I was told to wait another {days} days and then another {days} days after that.",
    "The courier left the {item} outside in the rain and marked it as delivered.",
    "My subscription renewed on {date} even though I cancelled it in {channel}.",
    "They sent the wrong {item} and now want me to pay {amount} to send it back.",
    "The warranty claim for my {item} was rejected for a reason nobody can explain.",
    "I have been a loyal customer for {n} years and this is how they treat me.",
    "The replacement {item} has the same fault as the first one.",
    "Support promised a call back within {days} hours and never called.",
    "The price changed from {amount} at checkout to something higher on my statement.",
    "My card was debited {amount} for an order that was never placed by me.",
    "I spent {n} hours on {channel} and was transferred between departments.",
    "The delivery slot was moved {n} times and nobody told me why.",
    "The store says it is an online problem and online says to go to the store.",
    "They keep asking for photos of the {item} that I already sent on {date}.",
    "My loyalty points disappeared after the update on {date}.",
    "The installer never showed up for the {item} and I took a day off work for it.",
    "I was promised a voucher of {amount} as an apology and it never came.",
    "The chat bot goes in circles and there is no way to reach a person.",
    "Their website says the {item} is in stock but every order is cancelled.",
    "I disputed the charge of {amount} and they closed my account in return.",
    "The item description said new but the {item} came used with scratches.",
    "I have reported the fault {n} times and each time they open a new case.",
    "They deducted {amount} from my balance for a fee nobody mentioned.",
    "The parcel was sent back to the depot without any attempt to deliver.",
    "I was told the refund takes {days} working days and it has been {days}.",
    "The password reset email never arrives so I cannot get into my account.",
    "They said the {item} was out of warranty although I bought it on {date}.",
    "Every time I call I have to explain the whole story again from the start.",
    "The {item} stopped working after {days} days and the shop will not take it back.",
    "My order number {n} shows as delivered but nothing came to my door.",
    "The manager promised to fix it by {date} and then stopped replying.",
    "I paid {amount} for express shipping and the {item} took {days} days.",
    "They refuse to cancel the contract unless I pay {amount} in fees.",
    "My complaint was escalated on {date} and I have heard nothing since.",
    "Support asked for my bank details by email which does not seem safe.",
    "The promised refund of {amount} turned into store credit I never asked for.",
    "The {item} was missing parts and the manual did not match it.",
    "Live chat ended the conversation as soon as I mentioned a refund.",
    "I was billed for {n} months after closing the account on {date}.",
    "The app shows my payment as pending for {days} days with no explanation.",
    "They blamed the courier and the courier blamed them.",
    "My review about the {item} was removed from their website.",
    "The technician said the {item} cannot be repaired but they will not replace it.",
    "I got a letter from a debt collector for {amount} that I already paid.",
    "Nothing on their website explains how to make a complaint.",
    "I was told a supervisor would call me on {date} and no one did.",
    "The gift card worth {amount} was declined at the till.",
    "They changed the terms and my plan now costs {amount} more each month.",
    "The {item} was delivered to a neighbour I have never met.",
    "I had to ask my bank to reverse the payment of {amount}.",
    "Their reply said my case was resolved but nothing was done.",
    "The {item} overheats and the smell of burning plastic fills the room.",
    "My order was split into {n} parcels and only one arrived.",
    "They asked me to sign for a parcel that was obviously damaged.",
    "I asked for the data they hold on me on {date} and never got it.",
    "The booking for {date} was cancelled the night before with no reason.",
)
CHANNELS = (
    "live chat",
    "the hotline",
    "the app",
    "email support",
    "the help center",
    "the website",
    "the store",
    "their chat bot",
    "twitter",
    "the customer portal",
)
ADJECTIVES = (
    "red",
    "black",
    "white",
    "steel",
    "wooden",
    "smart",
    "cordless",
    "electric",
    "compact",
    "portable",
    "large",
    "small",
    "blue",
    "glass",
    "digital",
    "wireless",
    "folding",
    "silver",
    "green",
    "heavy",
    "grey",
    "premium",
    "kids",
    "outdoor",
    "kitchen",
    "travel",
    "gaming",
    "leather",
    "cotton",
    "ceramic",
    "yellow",
    "pink",
    "bamboo",
    "plastic",
    "vintage",
    "modern",
    "classic",
    "mini",
    "giant",
    "slim",
    "round",
    "square",
    "orange",
    "purple",
    "gold",
    "bronze",
    "marble",
    "velvet",
    "wool",
    "linen",
    "rechargeable",
    "solar",
    "waterproof",
    "quiet",
    "double",
    "single",
    "family",
    "office",
    "garden",
    "baby",
)
NOUNS = (
    "blender",
    "laptop",
    "sofa",
    "kettle",
    "phone",
    "washing machine",
    "fridge",
    "mattress",
    "vacuum cleaner",
    "television",
    "air fryer",
    "printer",
    "camera",
    "desk",
    "chair",
    "headphones",
    "tablet",
    "watch",
    "bicycle",
    "lamp",
    "microwave",
    "toaster",
    "speaker",
    "router",
    "heater",
    "fan",
    "dishwasher",
    "oven",
    "drill",
    "lawn mower",
    "stroller",
    "car seat",
    "suitcase",
    "backpack",
    "jacket",
    "boots",
    "monitor",
    "keyboard",
    "mouse",
    "coffee machine",
    "iron",
    "hair dryer",
    "rug",
    "wardrobe",
    "bookcase",
    "cot",
    "freezer",
    "projector",
    "console",
    "scooter",
    "tent",
    "kayak",
    "treadmill",
    "sewing machine",
    "juicer",
    "rice cooker",
    "pressure cooker",
    "grill",
    "smoker",
    "food processor",
    "mixer",
    "scale",
    "thermostat",
    "doorbell",
    "alarm",
    "safe",
    "mirror",
    "shelf",
    "cabinet",
    "bed",
    "crib",
    "high chair",
    "playpen",
    "walker",
    "guitar",
    "piano",
    "drum kit",
    "amplifier",
    "microphone",
    "turntable",
    "radio",
    "dashcam",
    "drone",
    "telescope",
    "binoculars",
    "charger",
    "power bank",
    "cable",
    "adapter",
    "sink",
    "tap",
    "shower",
    "toilet seat",
    "boiler",
    "radiator",
    "dehumidifier",
    "humidifier",
    "purifier",
    "kettlebell",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Openings and closings people add around the stock sentences.
OPENINGS = (
    "Hello.",
    "I am writing to complain.",
    "Where do I even start.",
    "Avoid this company.",
    "This is my third attempt to get help.",
    "Honestly the worst service I have had.",
)
POOL_SIZE = 600  # distinct stock sentences
# Words of a template replaced by a word of the generated vocabulary, so that
# the templates give many stock sentences that differ a little, as real ones do.
REWORDED = 1
ZIPF_OFFSET = 5  # popularity 1 / (rank + 5): the commonest is in about one text in five
SUBSTITUTES = (
    "really",
    "again",
    "still",
    "just",
    "now",
    "then",
    "also",
    "only",
    "even",
    "today",
    "already",
    "apparently",
    "somehow",
    "nearly",
    "completely",
    "simply",
)


class _Pool:
    """Stock sentences (templates with the channel and one word fixed), with Zipf popularity."""

    def __init__(self, rng: random.Random) -> None:
        vocabulary = _Language("en", rng)
        seen: set[str] = set()
        self.sentences: list[str] = []
        while len(self.sentences) < POOL_SIZE:
            words = rng.choice(TEMPLATES).replace("{channel}", rng.choice(CHANNELS)).split()
            plain = [i for i, w in enumerate(words) if w.isalpha()]
            for i in rng.sample(plain, min(len(plain), REWORDED)):
                words[i] = vocabulary.word(rng)
            sentence = " ".join(words)
            if sentence not in seen:
                seen.add(sentence)
                self.sentences.append(sentence)
        rng.shuffle(self.sentences)
        weights = (1 / (r + ZIPF_OFFSET) for r in range(POOL_SIZE))
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random) -> str:
        x = rng.random() * self.cumulative[-1]
        return self.sentences[bisect.bisect_left(self.cumulative, x)]


def _item(rng: random.Random) -> str:
    return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"


def _fill(sentence: str, item: str, rng: random.Random) -> list[str]:
    """The words of a stock sentence told by one person: their item, amounts, dates."""
    text = sentence.replace("{item}", item)
    while "{" in text:
        text = text.replace("{amount}", f"${rng.randint(5, 20000)}.{rng.randint(0, 99):02d}", 1)
        text = text.replace("{days}", str(rng.randint(2, 60)), 1)
        text = text.replace("{date}", f"{rng.randint(1, 28)} {rng.choice(MONTHS)}", 1)
        text = text.replace("{n}", str(rng.randint(2, 12)), 1)
    return text.split()


def _story(pool: _Pool, rng: random.Random, item: str) -> list[list[str]]:
    """One person's complaint about ``item``: three to nine stock sentences."""
    count = min(9, max(3, round(rng.lognormvariate(1.76, 0.23))))
    sentences = []
    chosen: set[str] = set()
    while len(sentences) < count:
        s = pool.draw(rng)
        if s not in chosen:
            chosen.add(s)
            sentences.append(_fill(s, item, rng))
    if rng.random() < 0.3:
        sentences.insert(0, rng.choice(OPENINGS).split())
    return sentences


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.random()
    if op < 0.35:
        return word[:i] + word[i + 1 :]
    if op < 0.7:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]


def _renumber(word: str, rng: random.Random) -> str:
    if word.startswith("$"):
        return f"${rng.randint(5, 20000)}.{rng.randint(0, 99):02d}"
    return str(rng.randint(2, 60)) if word.isdigit() else word


def _restate(base: list[list[str]], item: str, pool: _Pool, rng: random.Random) -> list[list[str]]:
    """Another person telling the same story: same item, other numbers, own slips."""
    sentences = [[_renumber(w, rng) for w in s] for s in base]
    if len(sentences) > 2 and rng.random() < 0.4:  # told in another order
        i, j = rng.sample(range(len(sentences)), 2)
        sentences[i], sentences[j] = sentences[j], sentences[i]
    if len(sentences) > 5 and rng.random() < 0.25:  # one sentence left out
        sentences.pop(rng.randrange(len(sentences)))
    if rng.random() < 0.25:  # one more stock sentence
        sentences.insert(rng.randrange(len(sentences) + 1), _fill(pool.draw(rng), item, rng))
    n = sum(len(s) for s in sentences)
    for _ in range(max(1, n // 30)):  # typos
        s = rng.choice(sentences)
        i = rng.randrange(len(s))
        s[i] = _typo(s[i], rng)
    for _ in range(max(1, n // 45)):  # a word put differently
        s = rng.choice(sentences)
        i = rng.randrange(len(s))
        if s[i].isalpha():
            s[i] = rng.choice(SUBSTITUTES)
    for _ in range(max(1, n // 45)):  # swapped neighbours
        s = rng.choice(sentences)
        if len(s) > 1:
            i = rng.randrange(len(s) - 1)
            s[i], s[i + 1] = s[i + 1], s[i]
    return sentences


def _text(sentences: list[list[str]]) -> str:
    out = []
    for s in sentences:
        sentence = " ".join(s)
        out.append(sentence[:1].upper() + sentence[1:] + ("" if sentence[-1:] == "." else "."))
    return " ".join(out)


def generate(n: int, *, seed: int = 20261130, shared: float = 0.30) -> Corpus:
    rng = random.Random(seed)
    pool = _Pool(random.Random(f"{seed}:pool"))
    texts: list[str] = []
    labels: list[int] = []
    label = 0
    n_shared = int(n * shared)
    while len(texts) < n_shared:
        item = _item(rng)
        base = _story(pool, rng, item)
        size = min(2 + int(rng.paretovariate(1.3)), n_shared - len(texts) + 1, 400)
        for _ in range(max(size, 2)):
            texts.append(_text(_restate(base, item, pool, rng)))
            labels.append(label)
        label += 1
    while len(texts) < n:
        texts.append(_text(_story(pool, rng, _item(rng))))
        labels.append(label)
        label += 1
    order = list(range(len(texts)))
    rng.shuffle(order)
    texts = [texts[i] for i in order][:n]
    return Corpus(texts, [labels[i] for i in order][:n], ["en"] * n)
