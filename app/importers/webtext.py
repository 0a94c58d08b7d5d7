"""Web pages saved as plain text: the page's furniture set aside from its content.

trafilatura, jusText and boilerpy3 judge boilerplate by the page's markup (link density,
tag names, DOM position); a page saved as text has none of that left, so the rules here
read the lines themselves. Each rule is a named pattern with tests of its own
(tests/app/test_webtext.py). One guard overrides every generic rule: a line of prose (a
sentence of a dozen words or more) is never set aside unless a rule names that exact text
(the .gov banner's sentences) or it sits in a page's comment section.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.importers.textmeta import is_byline, is_organisation


def _lines(*patterns: str) -> re.Pattern[str]:
    """Whole-line patterns, case-insensitive, optional trailing punctuation."""
    return re.compile(r"^\s*(?:" + "|".join(patterns) + r")\s*[.:!?]*\s*$", re.IGNORECASE)


# Each rule: (name, whole-line pattern). Order only matters for the name reported.
RULES: list[tuple[str, re.Pattern[str]]] = [
    ("banner", _lines(
        r"an official website of the united states government",
        r"an official website of the [\w .,'-]+ government",
        r"here'?s how you know", r"here’s how you know",
        r"official websites use \.gov",
        r"a \.gov website belongs to an official government organization in the united states",
        r"secure \.gov websites use https",
        r"a lock \(.*\) or https:// means you.ve safely connected to the \.gov website\..*",
        r"share sensitive information only on official, secure websites",
        r"un sitio oficial del gobierno de (?:los )?estados unidos",
        r"así es como usted puede verificarlo",
        r"los sitios web oficiales usan \.gov",
        r"un sitio web \.gov pertenece a una organización oficial del gobierno de estados unidos",
        r"los sitios web seguros \.gov usan https",
        r"un candado \(.*\) o https:// significa que .*",
        r"comparta información confidencial sólo en sitios web oficiales y seguros",
        r"official government website", r"sitio web oficial del gobierno",
    )),
    ("skip link", _lines(
        r"skip to (?:main )?content", r"skip to main navigation", r"skip navigation",
        r"skip to (?:the )?(?:main )?(?:menu|search|footer)", r"jump to (?:navigation|content|main content)",
        r"saltar al contenido(?: principal)?", r"ir al contenido(?: principal)?",
        r"pasar al contenido principal",
        r"back to top", r"volver arriba", r"top of page", r"return to top",
    )),
    ("share", _lines(
        r"share(?: this)?(?: page| article| story| post)?(?: on (?:facebook|twitter|x|linkedin|email))?",
        r"facebook", r"twitter", r"x", r"linkedin", r"email", r"e-mail", r"print", r"print this page",
        r"whatsapp", r"reddit", r"copy link", r"copied", r"tweet", r"instagram", r"youtube", r"rss",
        r"compartir(?: en (?:facebook|twitter|x|linkedin))?", r"imprimir", r"enviar por correo",
        r"correo electrónico", r"follow us", r"síguenos", r"connect with us",
    )),
    ("helpful", _lines(
        r"was this page helpful", r"was this (?:article|information) helpful",
        r"is this page useful", r"thank you for your feedback", r"report a problem(?: with this page)?",
        r"¿(?:le|te) (?:resultó|fue) útil esta (?:página|información)",
        r"gracias por (?:sus|tus) comentarios", r"give feedback", r"rate this page",
    )),
    ("answer", _lines(r"yes", r"no", r"sí", r"si")),
    ("updated", re.compile(
        r"^\s*(?:last (?:updated|modified|reviewed)|page last (?:updated|reviewed)|updated|"
        r"última (?:actualización|modificación)|actualizado(?: el)?|fecha de actualización)"
        r"\s*(?:on)?\s*:?\s*\S.{0,40}$", re.IGNORECASE)),
    ("comments", re.compile(
        r"^\s*(?:\d+\s+(?:comments?|responses?|replies|comentarios?|respuestas?)"
        r"(?:\s+(?:leave a (?:reply|comment)|deja un comentario))?|leave a (?:reply|comment)|"
        r"post a comment|add a comment|join the discussion|deja (?:un|tu) comentario|comentarios)"
        r"\s*[.:!]*\s*$", re.IGNORECASE)),
    ("cookies", re.compile(
        r"^\s*(?:.*\b(?:we|this (?:web)?site) uses? cookies\b.*|accept(?: all)? cookies|"
        r"(?:manage )?cookie (?:settings|preferences|policy)|reject(?: all)?(?: cookies)?|"
        r".*\butiliza(?:mos)? cookies\b.*|aceptar(?: todas las)?(?: cookies)?|"
        r"configuración de cookies)\s*[.:!]*\s*$", re.IGNORECASE)),
    ("menu", _lines(
        r"menu", r"main menu", r"main navigation", r"navigation", r"search", r"close", r"open menu",
        r"sign in", r"log in", r"subscribe", r"newsletter", r"sign up", r"toggle navigation",
        r"menú", r"buscar", r"cerrar", r"iniciar sesión", r"suscríbete", r"búsqueda",
        r"site map", r"sitemap", r"contact us", r"contáctenos", r"accessibility", r"privacy policy",
        r"política de privacidad", r"aviso de privacidad", r"terms of use", r"foia", r"no fear act",
        r"usa\.gov", r"inspector general", r"español", r"english", r"translate", r"languages?",
    )),
]
# A heading that starts a list of other pages: the list is furniture.
LIST_START = _lines(
    r"most (?:popular|read|viewed)", r"related(?: content| articles?| news| posts| stories| links| pages)?",
    r"you may also like", r"recent (?:posts|news|articles)", r"more (?:news|stories|from .{1,40})",
    r"read (?:more|next)", r"popular (?:posts|articles|stories)", r"trending", r"see also",
    r"lo más (?:leído|visto|popular)", r"(?:noticias|artículos|contenido) relacionad[oa]s",
    r"más noticias", r"también te puede interesar", r"te puede interesar", r"lee también",
    r"latest news", r"últimas noticias", r"in this section", r"en esta sección",
)
# A line that ends the article (what follows is the page's closing furniture).
END_RULES = {"helpful", "comments", "share", "updated"}
# Rules whose words a body can also hold ("Yes.", "Print", "Search"): between the first and
# last prose paragraphs they apply only to a run of two furniture lines or more.
GENERIC = {"share", "answer", "menu"}
BREADCRUMB_WORDS = (
    "home|inicio|news|newsroom|news room|press|press releases?|media|media center|speeches|"
    "statements|releases|about|about us|blog|resources|publications|events|noticias|prensa|"
    "comunicados(?: de prensa)?|sala de prensa|publicaciones|eventos|español|testimony|"
    "testimonies|hearings|congressional testimony|reports|documents|briefings|remarks"
)
_NUMBERED_CRUMB = re.compile(rf"^\s*\d+\.\s*(?:{BREADCRUMB_WORDS})\s*$", re.IGNORECASE)
_ARROW_CRUMB = re.compile(rf"^\s*(?:{BREADCRUMB_WORDS})\s*(?:[>›»/|]\s*[^>›»/|]{{1,60}}){{1,6}}$",
                          re.IGNORECASE)
_CRUMB_WORD = re.compile(rf"(?:{BREADCRUMB_WORDS})", re.IGNORECASE)


def glued_crumbs(line: str) -> int:
    """Length of "HomeNewsPress releases" glued before a headline (copy-all of a page
    loses the separators): crumb words, each capitalised, each followed at once by the
    next capital. 0 when the line does not start so."""
    text = line.lstrip()
    pos, end = 0, 0
    while pos < len(text) and text[pos].isupper():
        m = _CRUMB_WORD.match(text, pos)
        if not m or m.end() >= len(text) or not (text[m.end()].isupper() or text[m.end()] in "¿¡"):
            break
        pos = end = m.end()
    if end == 0 or not text.lower().startswith(("home", "inicio")):
        return 0
    return len(line) - len(text) + end


_SENTENCE = re.compile(r"[.!?;:…»”\")]\s*$|[.!?]\s+\S")
_WORD = re.compile(r"\w+")
_PIPE_SUFFIX = re.compile(r"\s+[|–—]\s+[^|–—]{2,60}$")


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LEAD = re.compile(r"^\s*(?:#{1,6}\s+|[*+-]\s+|>\s*)+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1")


def visible(line: str) -> str:
    """A line as the page showed it: Markdown links, list bullets and emphasis undone."""
    if "[" in line or "*" in line or "#" in line or "_" in line or ">" in line or "-" in line:
        line = _MD_EMPHASIS.sub(r"\2", _MD_LEAD.sub("", _MD_LINK.sub(r"\1", line)))
    return line


def is_prose(line: str) -> bool:
    """A sentence of at least a dozen words: body text that no generic rule may remove."""
    line = visible(line)
    return len(_WORD.findall(line)) >= 12 and _SENTENCE.search(line.strip()) is not None


def _rule(line: str) -> str | None:
    line = visible(line)
    for name, pattern in RULES:
        if pattern.match(line):
            return name
    if _NUMBERED_CRUMB.match(line) or _ARROW_CRUMB.match(line):
        return "breadcrumb"
    if LIST_START.match(line):
        return "list"
    return None


@dataclass
class Capture:
    """What a saved page's text splits into."""

    lines: list[str]  # the content, blank lines kept (paragraph breaks)
    set_aside: list[str] = field(default_factory=list)  # furniture, in page order
    rules: dict[str, int] = field(default_factory=dict)  # rule name → lines it removed
    headline: str | None = None


# Rules that on their own say "this text was saved from a web page".
_STRONG = {"banner", "skip link", "breadcrumb", "helpful", "comments", "cookies"}


def rules_of(lines: list[str]) -> list[str | None]:
    """The rule naming each line (None: none, or a blank line), worked out once."""
    return [_rule(line) if line.strip() else None for line in lines]


def looks_like_capture(lines: list[str], named: list[str | None] | None = None) -> bool:
    found = {r for r in (named if named is not None else rules_of(lines)) if r is not None}
    if any(glued_crumbs(line) for line in lines[:40]):
        found.add("breadcrumb")
    return bool(found & _STRONG) and len(found) >= 2


def split_capture(text: str) -> Capture | None:
    """The page's furniture and content, or None when the text is not a saved page."""
    lines = text.split("\n")
    named = rules_of(lines)
    if not looks_like_capture(lines, named):
        return None
    keep = [True] * len(lines)
    rules: dict[str, int] = {}

    def drop(i: int, name: str) -> None:
        if keep[i]:
            keep[i] = False
            rules[name] = rules.get(name, 0) + 1

    prosaic = [is_prose(line) for line in lines]  # worked out once, asked below several times
    prose = [i for i, flag in enumerate(prosaic) if flag]
    first_prose = prose[0] if prose else len(lines)
    last_prose = prose[-1] if prose else -1
    # Named furniture, anywhere; generic rules (share, menu, helpful's yes/no) only
    # outside prose, which is_prose already excludes by length.
    in_list = False
    in_comments = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            if i > last_prose:
                in_list = False
            continue
        if in_comments:
            drop(i, "comments")
            continue
        name = named[i]
        if name == "comments" and i > first_prose:
            in_comments = True
            drop(i, name)
            continue
        if name == "list" and i > first_prose:
            in_list = True
            drop(i, name)
            continue
        if in_list:
            if len(_WORD.findall(stripped)) <= 30 or not prosaic[i]:
                drop(i, "list")
                continue
            in_list = False
        if name is not None and name not in ("list", "comments"):
            inside = first_prose < i < last_prose
            if name in GENERIC and inside and not _in_run(lines, named, i):
                continue
            if name in ("banner",) or not prosaic[i]:
                drop(i, name)
    _continue_crumbs(lines, named, keep, drop)
    headline = _headline(lines, keep, first_prose)
    # Before the headline: short lines no rule names are the site's menus.
    if headline is not None:
        for i in range(headline):
            stripped = lines[i].strip()
            if keep[i] and stripped and len(_WORD.findall(stripped)) <= 4 and not prosaic[i]:
                drop(i, "menu")
    # After the last prose paragraph, once an end-of-article line was seen, short lines are
    # the page's closing furniture (footer links, addresses, copyright).
    tail_end = next((i for i in range(last_prose + 1, len(lines))
                     if not keep[i] and named[i] in END_RULES), None)
    if tail_end is not None:
        for i in range(tail_end, len(lines)):
            stripped = lines[i].strip()
            if keep[i] and stripped and not prosaic[i]:
                drop(i, "footer")
    capture = Capture([], [], rules)
    for i, line in enumerate(lines):
        (capture.lines if keep[i] else capture.set_aside).append(line if keep[i] else line.strip())
    capture.set_aside = [line for line in capture.set_aside if line]
    if headline is not None:
        capture.headline = _headline_text(lines[headline])
        if capture.headline != lines[headline].strip():
            glued = glued_crumbs(lines[headline])
            if glued:
                capture.set_aside.insert(0, lines[headline][:glued].strip())
            index = sum(1 for j in range(headline) if keep[j])
            capture.lines[index] = capture.headline
    return capture


def _neighbour(lines: list[str], i: int, step: int) -> int | None:
    """The index of the nearest non-blank line before (step -1) or after (step 1)."""
    j = i + step
    while 0 <= j < len(lines):
        if lines[j].strip():
            return j
        j += step
    return None


def _in_run(lines: list[str], named: list[str | None], i: int) -> bool:
    """Next to another furniture line."""
    return any(j is not None and named[j] is not None
               for j in (_neighbour(lines, i, -1), _neighbour(lines, i, 1)))


_NUMBERED = re.compile(r"^\s*(\d+)\.\s+(.{1,60})$")


def _continue_crumbs(lines: list[str], named: list[str | None], keep: list[bool],
                     drop: Callable[[int, str], None]) -> None:
    """"4. Local Media Release" after "3. News": a numbered trail goes on past the
    words the breadcrumb rule knows."""
    previous: int | None = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _NUMBERED.match(visible(line))
        number = int(m.group(1)) if m else None
        if (m and number is not None and previous is not None and number == previous + 1
                and len(_WORD.findall(m.group(2))) <= 6 and keep[i]):
            drop(i, "breadcrumb")
        crumb = not keep[i] and named[i] == "breadcrumb"
        previous = number if crumb or (m and not keep[i] and previous is not None) else None


def _headline(lines: list[str], keep: list[bool], first_prose: int) -> int | None:
    """The page's own headline: the last kept line of three words or more before the
    first prose paragraph that is not a date, byline, sentence or the site's name (which
    sits above the headline)."""
    best: int | None = None
    for i in range(min(first_prose, len(lines))):
        stripped = visible(lines[i]).strip()
        if not keep[i] or not stripped:
            continue
        words = len(_WORD.findall(_headline_text(stripped)))
        if words < 3 or len(stripped) > 250 or stripped.endswith("."):
            continue
        if _NOT_HEADLINE.match(stripped) or is_organisation(stripped) or is_byline(stripped):
            continue
        best = i
    return best


_NOT_HEADLINE = re.compile(
    r"^\s*(?:by|por|release date|date|published|posted|fecha|publicado|written by|"
    r"for immediate release|para publicación inmediata|media contact|contact)\b",
    re.IGNORECASE)


def _headline_text(line: str) -> str:
    """A headline without glued breadcrumbs or the site name after a bar."""
    text = line.strip()
    text = text[glued_crumbs(text):].strip()
    return _PIPE_SUFFIX.sub("", text) if " | " in text else text
