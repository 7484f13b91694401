"""One embedded font per font file in a PDF merged from several WeasyPrint PDFs.

How WeasyPrint 70 embeds a font (weasyprint/pdf/fonts.py, weasyprint/draw/text.py):

- the font program is subset by HarfBuzz with ``HB_SUBSET_FLAGS_RETAIN_GIDS`` (then a second pass keeps glyphs
  ``0..max(gid)`` to drop the empty tail), so every glyph keeps its glyph id in the original font file;
- content streams write those glyph ids as 2-byte codes: a Type0 font with ``/Encoding /Identity-H``, a CIDFontType2
  (TrueType, ``/CIDToGIDMap /Identity``) or CIDFontType0 (OpenType CFF) descendant, ``/W`` holding the width of each
  used glyph id and a ``/ToUnicode`` CMap of ``bfchar`` entries, glyph id -> text;
- the ``ABCDEF+`` tag of ``/BaseFont`` is a hash of the Pango font description, not of the glyph set, so the same font
  gets the same name in every piece.

A document rendered in pieces therefore embeds one subset of the same font file per piece, but all pieces refer to
glyphs by their original ids. Sharing them needs no content-stream rewriting:

1. Font programs are grouped by the font file they were cut from (PostScript name, version, revision, creation and
   modification dates, units per em, outline format). For each group the original file is found through fontconfig
   and subset once with HarfBuzz over the union of the glyphs the pieces use, with WeasyPrint's flags. Before that,
   one piece's program is re-subset from the file with that piece's own glyphs and must come out byte for byte the
   same: this proves the file and the flags (hinting, .notdef outline) are the ones WeasyPrint used. Groups that fail
   that check (font missing here, another HarfBuzz version, a variable or colour font that WeasyPrint modified) keep
   their programs; only byte-identical programs are then shared.
2. Font dictionaries with the same ``/BaseFont``, encoding and descriptor that agree on every glyph's width and text
   are merged into one, with the union of their ``/W`` and ``/ToUnicode`` entries; every resource dictionary then
   points to it. Dictionaries that disagree (a glyph mapped to different text in two pieces, WeasyPrint's own codes
   for characters no font has) stay separate, still pointing to the shared program.
"""
from __future__ import annotations

import functools
import hashlib
import io
import logging
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import pikepdf
from fontTools.ttLib import TTCollection, TTFont

logger = logging.getLogger(__name__)

_FONT_FILE_KEYS = ("/FontFile2", "/FontFile3")
_DESCRIPTOR_BBOX_KEYS = {"/FontBBox", "/CapHeight", "/Flags", "/CIDSet", "/FontFile2", "/FontFile3"}
_FIXED_PITCH = 1


# --- HarfBuzz and fontconfig (the libraries WeasyPrint renders with) ----------------------------------------------

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
int hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_face_destroy (hb_face_t *face);
unsigned int hb_face_get_glyph_count (const hb_face_t *face);
hb_tag_t hb_tag_from_string (const char *str, int len);
void hb_set_add_sorted_array (hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int num_codepoints);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);

typedef unsigned char FcChar8;
typedef struct _FcConfig FcConfig;
typedef struct _FcPattern FcPattern;
typedef struct _FcFontSet { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
FcConfig *FcInitLoadConfigAndFonts (void);
void FcConfigDestroy (FcConfig *config);
FcFontSet *FcConfigGetFonts (FcConfig *config, int set);
int FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
int FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);
"""

# hb_subset_flags_t and hb_subset_sets_t values (hb-subset.h).
_HB_NO_HINTING = 0x1
_HB_RETAIN_GIDS = 0x2
_HB_DESUBROUTINIZE = 0x4
_HB_PASSTHROUGH_UNRECOGNIZED = 0x20
_HB_NOTDEF_OUTLINE = 0x40
_HB_DROP_TABLE_TAG = 3
# The tables WeasyPrint drops from every subset.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


@cache
def _native():
    """(ffi, harfbuzz, harfbuzz-subset, fontconfig), or None where they are missing or too old."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)

    def dlopen(*names):
        for name in names:
            try:
                return ffi.dlopen(name)
            except OSError:
                continue
        return None

    harfbuzz = dlopen("libharfbuzz.so.0", "libharfbuzz.0.dylib", "harfbuzz")
    subset = dlopen("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib", "harfbuzz-subset")
    fontconfig = dlopen("libfontconfig.so.1", "libfontconfig.1.dylib", "fontconfig")
    # WeasyPrint subsets with HarfBuzz from 4.1.0 on (with fontTools before, which makes other programs).
    if not (harfbuzz and subset and fontconfig) or not harfbuzz.hb_version_atleast(4, 1, 0):
        return None
    return ffi, harfbuzz, subset, fontconfig


@cache
def _system_fonts() -> dict[str, list[tuple[str, int]]]:
    """PostScript name -> [(file, face index)] of the fonts fontconfig knows (the ones Pango renders with)."""
    native = _native()
    fonts = defaultdict(list)
    if native is None:
        return fonts
    ffi, _, _, fontconfig = native
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        font_set = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        value = ffi.new("FcChar8 **")
        index = ffi.new("int *")
        for i in range(font_set.nfont if font_set != ffi.NULL else 0):
            pattern = font_set.fonts[i]
            if fontconfig.FcPatternGetString(pattern, b"postscriptname", 0, value) != 0:
                continue
            name = ffi.string(value[0]).decode("utf-8", "replace")
            if fontconfig.FcPatternGetString(pattern, b"file", 0, value) != 0:
                continue
            path = ffi.string(value[0]).decode("utf-8", "surrogateescape")
            face = index[0] if fontconfig.FcPatternGetInteger(pattern, b"index", 0, index) == 0 else 0
            fonts[name].append((path, face & 0xFFFF))  # the high bits name a named instance
    finally:
        fontconfig.FcConfigDestroy(config)
    return dict(fonts)


class _HbFace:
    """A HarfBuzz face of a font file, kept for the process (the file is memory-mapped, not read)."""

    def __init__(self, path: str, index: int):
        ffi, harfbuzz, _, _ = _native()
        blob = harfbuzz.hb_blob_create_from_file_or_fail(path.encode("utf-8", "surrogateescape"))
        if blob == ffi.NULL:
            raise OSError(path)
        self.face = ffi.gc(harfbuzz.hb_face_create(blob, index), harfbuzz.hb_face_destroy)
        harfbuzz.hb_blob_destroy(blob)
        self.glyph_count = harfbuzz.hb_face_get_glyph_count(self.face)

    def subset(self, gids: set[int], hinting: bool, notdef_outline: bool) -> bytes | None:
        """The program WeasyPrint 70 embeds for these glyph ids (Font._harfbuzz_subset, same flags, same passes)."""
        ffi, harfbuzz, hb_subset, _ = _native()
        extra = _HB_NOTDEF_OUTLINE if notdef_outline else 0
        drop = tuple(sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES))

        def run(face, glyphs, flags):
            subset_input = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
            if subset_input == ffi.NULL:
                return ffi.NULL
            array = ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs)
            harfbuzz.hb_set_add_sorted_array(hb_subset.hb_subset_input_glyph_set(subset_input), array, len(glyphs))
            hb_subset.hb_subset_input_set_flags(subset_input, flags)
            drop_array = ffi.new(f"hb_codepoint_t[{len(drop)}]", drop)
            harfbuzz.hb_set_add_sorted_array(
                hb_subset.hb_subset_input_set(subset_input, _HB_DROP_TABLE_TAG), drop_array, len(drop))
            return ffi.gc(hb_subset.hb_subset_or_fail(face, subset_input), harfbuzz.hb_face_destroy)

        glyphs = sorted(gids)
        first = run(self.face, glyphs,
                    _HB_RETAIN_GIDS | _HB_PASSTHROUGH_UNRECOGNIZED | _HB_DESUBROUTINIZE | extra)
        if first == ffi.NULL:
            return None
        flags = _HB_PASSTHROUGH_UNRECOGNIZED | _HB_DESUBROUTINIZE | extra | (0 if hinting else _HB_NO_HINTING)
        second = run(first, list(range(glyphs[-1] + 1)), flags)
        if second == ffi.NULL:
            return None
        blob = harfbuzz.hb_face_reference_blob(second)
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        program = None if data == ffi.NULL else ffi.unpack(data, int(length[0]))
        harfbuzz.hb_blob_destroy(blob)
        return program or None


@cache
def _face(path: str, index: int) -> _HbFace | None:
    try:
        return _HbFace(path, index)
    except OSError:
        return None


@cache
def _original(identity: tuple) -> _HbFace | None:
    """The installed font file a subset was cut from, found by its PostScript name and checked by its identity."""
    if _native() is None:
        return None
    for path, index in _system_fonts().get(identity[1], ()):
        try:
            with open(path, "rb") as handle:
                if handle.read(4) == b"ttcf":
                    font = TTCollection(path, lazy=True).fonts[index]
                else:
                    font = TTFont(path, lazy=True, fontNumber=index)
                if _identity(font) == identity:
                    return _face(path, index)
        except Exception:  # an unreadable file is not the one
            logger.debug("font file %s unreadable", path, exc_info=True)
    return None


def _identity(font: TTFont) -> tuple | None:
    """What a subset keeps of the file it was cut from: enough to tell font files apart."""
    try:
        head, name = font["head"], font["name"]
    except Exception:
        return None
    postscript = name.getDebugName(6)
    if not postscript:
        return None
    return (font.sfntVersion, postscript, name.getDebugName(5), head.fontRevision, head.created, head.modified,
            head.unitsPerEm)


# --- The PDF side ------------------------------------------------------------------------------------------------

@dataclass
class _Font:
    """A Type0 font dictionary with one CID-keyed descendant and an embedded TrueType or OpenType program."""

    font: pikepdf.Dictionary
    descendant: pikepdf.Dictionary
    descriptor: pikepdf.Dictionary
    file_key: str
    program: pikepdf.Stream
    identity_encoding: bool
    widths: dict[int, object]
    to_unicode: dict[int, str] | None
    holders: list[tuple[pikepdf.Dictionary, str]] = field(default_factory=list)


@dataclass
class _Program:
    stream: pikepdf.Stream
    data: bytes
    fonts: list[_Font] = field(default_factory=list)

    @property
    def gids(self) -> set[int]:
        # The glyphs WeasyPrint subsets: the keys of its to_unicode dictionaries (written out as /ToUnicode).
        return {gid for font in self.fonts for gid in (font.to_unicode or font.widths)}

    @property
    def notdef_outline(self) -> bool:
        # WeasyPrint writes its own /Encoding CMap, and keeps the .notdef outline, when a character had no glyph.
        return not all(font.identity_encoding for font in self.fonts)


def share_font_subsets(pdf: bytes) -> bytes:
    """``pdf`` (several WeasyPrint PDFs merged) with one embedded program per font file and one font dictionary per
    font, instead of one per piece. Text, glyphs and their positions are unchanged; returns ``pdf`` itself when
    there is nothing to share."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if not share_font_subsets_in(document):
            return pdf
        out = io.BytesIO()
        document.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      fix_metadata_version=False)  # the XMP stays as it was written
        return out.getvalue()


def share_font_subsets_in(document: pikepdf.Pdf) -> bool:
    """share_font_subsets on an open document (the merge, before its only save). True when something changed."""
    fonts = _fonts(document)
    programs: dict[tuple, _Program] = {}
    for font in fonts.values():
        key = font.program.objgen
        if key not in programs:
            programs[key] = _Program(font.program, font.program.read_bytes())
        programs[key].fonts.append(font)

    changed = _share_programs(document, list(programs.values()))
    aliases = _merge_dictionaries(document, list(fonts.values()))
    if not changed and not aliases:
        return False
    for font in fonts.values():
        for holder, name in font.holders:
            canonical = aliases.get(font.font.objgen)
            if canonical is not None:
                holder[name] = canonical
    return True


def _fonts(document: pikepdf.Pdf) -> dict[tuple, _Font]:
    """Every shareable font of the document, by object id, with the resource dictionaries that name it."""
    fonts: dict[tuple, _Font] = {}

    def visit(resources):
        if not isinstance(resources, pikepdf.Dictionary):
            return
        font_resources = resources.get("/Font")
        if not isinstance(font_resources, pikepdf.Dictionary):
            return
        for name in list(font_resources.keys()):
            value = font_resources[name]
            if not value.is_indirect:
                continue
            font = fonts.get(value.objgen)
            if font is None:
                font = _font(value)
                if font is None:
                    continue
                fonts[value.objgen] = font
            font.holders.append((font_resources, name))

    # Anything with resources is an indirect object: pages, form XObjects, patterns, Type3 fonts, appearances.
    for obj in document.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            if "/Resources" in obj:
                visit(obj.Resources)
            elif "/Font" in obj and "/Type" not in obj:  # an indirect resource dictionary
                visit(obj)
    acroform = document.Root.get("/AcroForm")
    if isinstance(acroform, pikepdf.Dictionary):
        visit(acroform.get("/DR"))
    return fonts


def _font(font: pikepdf.Dictionary) -> _Font | None:
    try:
        if font.get("/Subtype") != "/Type0":
            return None
        descendant = font.DescendantFonts[0]
        if descendant.get("/Subtype") not in ("/CIDFontType0", "/CIDFontType2"):
            return None
        if descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
            return None
        descriptor = descendant.FontDescriptor
        for key in _FONT_FILE_KEYS:
            program = descriptor.get(key)
            if isinstance(program, pikepdf.Stream) and program.is_indirect:
                break
        else:
            return None
        if key == "/FontFile3" and program.get("/Subtype") != "/OpenType":
            return None  # a bare CFF program: not WeasyPrint's
        encoding = font.get("/Encoding")
        to_unicode = font.get("/ToUnicode")
        return _Font(
            font=font, descendant=descendant, descriptor=descriptor, file_key=key, program=program,
            identity_encoding=encoding == pikepdf.Name("/Identity-H"),
            widths=_parse_widths(descendant.get("/W")),
            to_unicode=_parse_to_unicode(to_unicode.read_bytes()) if isinstance(to_unicode, pikepdf.Stream) else None,
        )
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        return None


def _share_programs(document: pikepdf.Pdf, programs: list[_Program]) -> bool:
    """Point every font to one program per font file. True when something changed."""
    changed = False
    groups: dict[tuple, list[_Program]] = defaultdict(list)
    for program in programs:
        groups[_program_identity(program.data)].append(program)
    for identity, group in groups.items():
        if identity is None or len(group) < 2:
            continue
        merged = _resubset(identity, group)
        if merged is None:
            logger.warning("font %s: the pieces' subsets cannot be remade here; only identical ones are shared",
                           identity[1])
            changed |= _share_identical(group)
            continue
        file_key = group[0].fonts[0].file_key
        stream = pikepdf.Stream(document, zlib.compress(merged))
        stream.Filter = pikepdf.Name.FlateDecode
        if file_key == "/FontFile2":
            stream.Length1 = len(merged)
        else:
            stream.Subtype = pikepdf.Name.OpenType
        stream = document.make_indirect(stream)
        for program in group:
            for font in program.fonts:
                font.descriptor[font.file_key] = stream
                font.program = stream
        changed = True
    return changed


@functools.lru_cache(maxsize=256)
def _program_identity(data: bytes) -> tuple | None:
    try:
        return _identity(TTFont(io.BytesIO(data), lazy=True))
    except Exception:
        return None


# (font identity, SHA-256 of a piece's program) -> the hinting flag that remade it from the installed file.
_VERIFIED: dict[tuple, bool] = {}


def _resubset(identity: tuple, group: list[_Program]) -> bytes | None:
    """One subset of the original file covering every glyph of the group, made as WeasyPrint made the pieces'."""
    try:
        return _resubset_from(identity, group)
    except Exception:  # never worse than not sharing
        logger.exception("font %s: subsetting failed", identity[1])
        return None


def _resubset_from(identity: tuple, group: list[_Program]) -> bytes | None:
    face = _original(identity)
    if face is None:
        return None
    subsets = [program for program in group if program.gids]  # WeasyPrint embeds a font it drew nothing with whole
    if not subsets:
        return None
    probe = min(subsets, key=lambda program: len(program.data))
    key = (identity, hashlib.sha256(probe.data).digest())
    hinting = _VERIFIED.get(key)
    if hinting is None:
        for hinting in (False, True):
            if face.subset(probe.gids, hinting, probe.notdef_outline) == probe.data:
                break
        else:
            return None
        if len(_VERIFIED) >= 1024:
            _VERIFIED.clear()
        _VERIFIED[key] = hinting
    gids = set().union(*(program.gids for program in group))
    return face.subset(gids, hinting, any(program.notdef_outline for program in group))


def _share_identical(group: list[_Program]) -> bool:
    first: dict[bytes, pikepdf.Stream] = {}
    changed = False
    for program in group:
        digest = hashlib.sha256(program.data).digest()
        kept = first.setdefault(digest, program.stream)
        if kept is not program.stream:
            for font in program.fonts:
                font.descriptor[font.file_key] = kept
                font.program = kept
            changed = True
    return changed


def _merge_dictionaries(document: pikepdf.Pdf, fonts: list[_Font]) -> dict[tuple, pikepdf.Dictionary]:
    """Merge the font dictionaries that can be one; object id of a merged-away dictionary -> the one kept."""
    groups: dict[tuple, list[_Font]] = defaultdict(list)
    for font in fonts:
        if not font.identity_encoding or font.to_unicode is None:
            continue
        groups[_dictionary_key(font)].append(font)

    aliases: dict[tuple, pikepdf.Dictionary] = {}
    for group in groups.values():
        # Clusters of dictionaries that agree on every glyph, each with the union of its widths and texts.
        clusters: list[tuple[list[_Font], dict, dict]] = []
        for font in group:
            for members, widths, to_unicode in clusters:
                if _agree(font.widths, widths) and _agree(font.to_unicode, to_unicode):
                    members.append(font)
                    widths.update(font.widths)
                    to_unicode.update(font.to_unicode)
                    break
            else:
                clusters.append(([font], dict(font.widths), dict(font.to_unicode)))
        for members, widths, to_unicode in clusters:
            if len(members) < 2:
                continue
            _rewrite(document, members[0], widths, to_unicode)
            for font in members[1:]:
                aliases[font.font.objgen] = members[0].font
    return aliases


def _dictionary_key(font: _Font) -> tuple:
    descriptor = tuple(sorted(
        (key, repr(value)) for key, value in font.descriptor.items() if key not in _DESCRIPTOR_BBOX_KEYS))
    flags = int(font.descriptor.get("/Flags", 0)) & ~_FIXED_PITCH
    return (str(font.font.get("/BaseFont")), font.descendant.Subtype, font.program.objgen, flags, descriptor,
            repr(font.descendant.get("/CIDSystemInfo")), repr(font.descendant.get("/DW")))


def _agree(mapping: dict, union: dict) -> bool:
    """No glyph of ``mapping`` has another value in ``union``."""
    common = mapping.keys() & union.keys()
    return all(mapping[key] == union[key] for key in common)


def _rewrite(document: pikepdf.Pdf, font: _Font, widths: dict[int, object], to_unicode: dict[int, str]):
    """Give the kept dictionary the merged widths and text, and a descriptor computed as WeasyPrint computes it."""
    font.descendant.W = _widths_array(widths)
    cmap = pikepdf.Stream(document, zlib.compress(_to_unicode_cmap(to_unicode)))
    cmap.Filter = pikepdf.Name.FlateDecode
    font.font.ToUnicode = document.make_indirect(cmap)
    font.widths, font.to_unicode = widths, to_unicode

    descriptor = font.descriptor
    numbers = [value for value in widths.values() if isinstance(value, (int, Decimal, float))]
    if "/FontBBox" in descriptor and numbers:
        bbox = list(descriptor.FontBBox)
        bbox[2] = max(numbers)
        descriptor.FontBBox = pikepdf.Array(bbox)
    if "/Flags" in descriptor:
        flags = int(descriptor.Flags) & ~_FIXED_PITCH
        if len(widths) > 1 and len(set(widths.values())) == 1:
            flags |= _FIXED_PITCH
        descriptor.Flags = flags
    if "/CIDSet" in descriptor:
        size = max(widths) // 8 + 1
        bits = bytearray(size)
        for gid in widths:
            bits[gid // 8] |= 0x80 >> (gid % 8)
        cid_set = pikepdf.Stream(document, zlib.compress(bytes(bits)))
        cid_set.Filter = pikepdf.Name.FlateDecode
        descriptor.CIDSet = document.make_indirect(cid_set)


# --- /W and /ToUnicode -------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\[|\]|[-+.0-9]+")


def _number(token: str):
    return Decimal(token) if "." in token else int(token)


def _parse_widths(array) -> dict[int, object]:
    """/W as glyph id -> width (``c [w1 w2 ...]`` and ``c_first c_last w`` forms). Read-only: shared by the
    pieces' fonts that have the same /W (a long-lived merging process parses an unchanged piece's once)."""
    if not isinstance(array, pikepdf.Array):
        return {}
    return _parse_widths_text(array.unparse())


@functools.lru_cache(maxsize=1024)
def _parse_widths_text(unparsed: bytes) -> dict[int, object]:
    widths: dict[int, object] = {}
    tokens = _TOKEN.findall(unparsed.decode("ascii"))[1:-1]  # one pass over the serialised array
    i = 0
    while i < len(tokens):
        first = int(tokens[i])
        if tokens[i + 1] == "[":
            i += 2
            while tokens[i] != "]":
                widths[first] = _number(tokens[i])
                first += 1
                i += 1
            i += 1
        else:
            width = _number(tokens[i + 2])
            for gid in range(first, int(tokens[i + 1]) + 1):
                widths[gid] = width
            i += 3
    return widths


def _widths_array(widths: dict[int, object]) -> pikepdf.Array:
    """/W as WeasyPrint writes it: ``c [w1 w2 ...]`` for each run of consecutive glyph ids."""
    parts = []
    for gid in sorted(widths):
        if gid - 1 not in widths:
            parts.append(f"] {gid} [" if parts else f"{gid} [")
        parts.append(f" {widths[gid]}")
    return pikepdf.Object.parse(("[" + "".join(parts) + ("]" if parts else "") + "]").encode())


_HEX = r"<([0-9A-Fa-f\s]*)>"
_BFCHAR = re.compile(r"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(r"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(_HEX + r"\s*" + _HEX)
_RANGE = re.compile(_HEX + r"\s*" + _HEX + r"\s*(?:" + _HEX + r"|\[((?:\s*<[0-9A-Fa-f\s]*>)*)\s*\])")


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)  # skips whitespace between bytes
    except ValueError:
        return bytes.fromhex(re.sub(r"\s", "", text))


def _utf16(text: str) -> str:
    return _hex(text).decode("utf-16-be", "surrogatepass")


def _code(text: str) -> int:
    return int.from_bytes(_hex(text), "big")


@functools.lru_cache(maxsize=1024)
def _parse_to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap as code -> text (bfchar and both forms of bfrange; the first entry of a code wins).
    Read-only, cached by the CMap's bytes (an unchanged piece's CMap is parsed once by a long-lived process)."""
    cmap = cmap.decode("latin-1")
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(cmap):
        for code, text in _PAIR.findall(block):
            mapping.setdefault(_code(code), _utf16(text))
    for block in _BFRANGE.findall(cmap):
        for low, high, start, targets in _RANGE.findall(block):
            low, high = _code(low), _code(high)
            if targets:
                for offset, text in enumerate(re.findall(_HEX, targets)):
                    mapping.setdefault(low + offset, _utf16(text))
            else:
                start = _hex(start)
                for offset in range(high - low + 1):
                    last = int.from_bytes(start[-2:], "big") + offset
                    mapping.setdefault(low + offset, (start[:-2] + last.to_bytes(2, "big")).decode(
                        "utf-16-be", "surrogatepass"))
    return mapping


def _to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes it: bfchar entries, 100 per block."""
    lines = [
        b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
        b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
        b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange", b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [f"<{gid:04x}> <{text.encode('utf-16-be', 'surrogatepass').hex()}>".encode() for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
