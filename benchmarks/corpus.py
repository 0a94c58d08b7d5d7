"""Deterministic generated corpora (English and Spanish) for the benchmarks."""

from __future__ import annotations

import bisect
import itertools
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

EN = ["the", "committee", "heard", "testimony", "that", "funding", "for", "security", "programmes", "rose", "while", "cartels", "were", "laundering", "money", "through", "front", "companies", "and", "shell", "firms", "border", "officers", "reported", "seizures", "of", "fentanyl", "precursors", "at", "ports", "of", "entry", "analysts", "warned", "that", "trafficking", "networks", "adapt", "quickly", "to", "enforcement", "pressure", "and", "exploit", "gaps", "in", "customs", "inspections", "financial", "intelligence", "units", "traced", "transfers", "across", "several", "jurisdictions", "witnesses", "described", "extradition", "requests", "delayed", "by", "procedural", "disputes", "the", "initiative", "supports", "training", "equipment", "and", "information", "sharing", "between", "agencies"]
ES = ["el", "comité", "escuchó", "que", "la", "financiación", "de", "los", "programas", "de", "seguridad", "aumentó", "mientras", "los", "cárteles", "lavaban", "dinero", "mediante", "empresas", "fachada", "los", "agentes", "fronterizos", "informaron", "decomisos", "de", "precursores", "de", "fentanilo", "en", "los", "puertos", "de", "entrada", "los", "analistas", "advirtieron", "que", "las", "redes", "de", "tráfico", "se", "adaptan", "rápidamente", "a", "la", "presión", "y", "aprovechan", "las", "brechas", "en", "las", "inspecciones", "aduaneras", "las", "unidades", "de", "inteligencia", "financiera", "rastrearon", "transferencias", "en", "varias", "jurisdicciones", "la", "iniciativa", "Mérida", "apoya", "la", "capacitación", "y", "el", "intercambio", "de", "información", "entre", "agencias"]
NAMES = ["Mérida", "Peña", "Sinaloa", "Tijuana", "Juárez", "Culiacán", "Nogales", "Laredo"]
TAGS = ["Drugs/Fentanyl", "Drugs/Precursors", "Finance/Laundering", "Finance/Shell companies",
        "Places/Mexico", "Places/Border", "Law/Extradition", "Cooperation"]
RARE = [f"{a}{b}" for a in ("zor", "vel", "quin", "mar", "tel", "bra") for b in ("ado", "ista", "ón", "ex")]


def _vocabulary(size: int = 30_000) -> tuple[list[str], list[float]]:
    """Made-up words with Zipf frequencies, as real text has: a few common, most rare."""
    rng = random.Random(99)
    onsets = ["b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "tr", "pl", "br", "gr"]
    vowels = ["a", "e", "i", "o", "u", "á", "é", "ó", "ia", "ue"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    weights = [1 / (rank ** 1.07) for rank in range(1, size + 1)]
    return ordered, list(itertools.accumulate(weights))


VOCAB, _CUMULATIVE = _vocabulary()


def zipf_word(rng: random.Random) -> str:
    return VOCAB[bisect.bisect_left(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])]


def paragraph(rng: random.Random, words: list[str], length: int) -> str:
    out = []
    for i in range(length):
        roll = rng.random()
        if roll < 0.02:
            word = rng.choice(NAMES)
        elif roll < 0.03:
            word = rng.choice(RARE)
        elif roll < 0.55:
            word = rng.choice(words)
        else:
            word = zipf_word(rng)
        out.append(word.capitalize() if i == 0 else word)
    return " ".join(out) + "."


def document(rng: random.Random, n: int, target_chars: int) -> tuple[str, str]:
    lang = "es" if rng.random() < 0.3 else "en"
    words = ES if lang == "es" else EN
    parts = [f"Report {n}: {rng.choice(NAMES)} {rng.choice(words)} {rng.choice(words)}"]
    size = len(parts[0])
    while size < target_chars:
        para = paragraph(rng, words, rng.randint(40, 110))
        parts.append(para)
        size += len(para) + 2
    return "\n\n".join(parts) + "\n", lang


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "platform": platform.platform(terse=True)}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50": 0.0, "p95": 0.0}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2)}


def emit(name: str, figures: dict[str, Any]) -> None:
    print(json.dumps({"benchmark": name, "machine": machine(), **figures}, ensure_ascii=False, indent=1))


def git_rev() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=False).stdout.strip()
    except OSError:
        return ""
