"""Looks for secrets and tokens in a core dump, in every encoding they may
have travelled in, and says where each piece found lives.

A freed heap block loses its first 16 to 32 bytes to the allocator's list
pointers, so a copy left behind is often no longer whole: the scan looks for
overlapping fragments (FRAGMENT bytes, every STRIDE bytes) of each encoded
form and joins the fragments of one copy back together.
"""

import base64
import mmap
import struct
import subprocess

FRAGMENT = 12
STRIDE = 1


def _pct(s, safe, plus, lower):
    out = []
    for b in s.encode():
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in safe):
            out.append(c)
        elif c == " " and plus:
            out.append("+")
        else:
            out.append(("%%%02x" if lower else "%%%02X") % b)
    return "".join(out)


def encodings(s):
    """{name: encoded form} of s: raw, RFC 3986 percent-encoding (what the
    plugin's cx_http_escape and libcurl write), application/x-www-form-
    urlencoded (WHATWG: space as '+', '*' kept, '~' escaped; Python's
    quote_plus: '~' kept), each with upper- and lower-case hex."""
    forms = {"raw": s}
    for name, safe, plus in (("percent", "-._~", False),
                             ("form", "*-._", True),
                             ("form-tilde", "-._~", True)):
        for case, lower in (("", False), ("-lowerhex", True)):
            forms[name + case] = _pct(s, safe, plus, lower)
    # Identical forms are looked for once, under their first name.
    seen, out = set(), {}
    for k, v in forms.items():
        if v not in seen:
            seen.add(v)
            out[k] = v
    return out


def base64_forms(s):
    """{name: text}: the part of base64(P + e) that only e determines, for
    every encoding e of s and every alignment of P (len(P) mod 3), so
    base64(client_id:secret) is covered whatever the id and its encoding."""
    out = {}
    for name, e in encodings(s).items():
        for shift in range(3):
            b = base64.b64encode(b"\0" * shift + e.encode()).decode()
            start = (shift + 2) // 3 * 4
            end = (shift + len(e)) // 3 * 4
            out["base64(%s, offset %d)" % (name, shift)] = b[start:end]
    return out


def secret_forms(s):
    forms = encodings(s)
    forms.update(base64_forms(s))
    return forms


class Regions:
    """File offset in an ELF core -> virtual address -> the mapping it was
    in (from /proc/PID/maps read just before the dump)."""

    def __init__(self, core_path, maps_text):
        self.loads = []
        with open(core_path, "rb") as f:
            ehdr = f.read(64)
            if ehdr[:4] != b"\x7fELF" or ehdr[4] != 2:
                raise ValueError("not an ELF64 core: " + core_path)
            phoff, = struct.unpack_from("<Q", ehdr, 32)
            phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
            f.seek(phoff)
            for _ in range(phnum):
                ph = f.read(phentsize)
                ptype, = struct.unpack_from("<I", ph, 0)
                off, vaddr, _paddr, filesz = struct.unpack_from("<QQQQ", ph, 8)
                if ptype == 1 and filesz > 0:  # PT_LOAD
                    self.loads.append((off, off + filesz, vaddr))
        self.maps = []
        for line in maps_text.splitlines():
            parts = line.split(None, 5)
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5].strip() if len(parts) > 5 else ""
            self.maps.append((lo, hi, parts[1], name))

    def where(self, offset):
        for lo, hi, vaddr in self.loads:
            if lo <= offset < hi:
                addr = vaddr + offset - lo
                for mlo, mhi, perms, name in self.maps:
                    if mlo <= addr < mhi:
                        if name:
                            return addr, name
                        # glibc puts a thread's malloc arena at the start of
                        # a 64 MiB aligned reservation.
                        if mlo % (64 << 20) == 0:
                            return addr, "a thread's malloc arena"
                        return addr, "anonymous %s mapping of %d KiB" % (
                            perms, (mhi - mlo) >> 10)
                return addr, "unknown mapping"
        return None, "core notes (saved thread registers)"


def _grep(core_path, needles):
    """{needle: [offsets]} with GNU grep -F (Aho-Corasick over the file)."""
    patterns = sorted(set(needles))
    if not patterns:
        return {}
    r = subprocess.run(["grep", "-a", "-o", "-b", "-F", "-f", "/dev/stdin",
                        core_path], input="\n".join(patterns).encode(),
                       capture_output=True, env={"LC_ALL": "C"})
    if r.returncode not in (0, 1):
        raise RuntimeError("grep failed: " + r.stderr.decode()[-300:])
    hits = {}
    for line in r.stdout.split(b"\n"):
        if not line:
            continue
        off, _, text = line.partition(b":")
        hits.setdefault(text.decode(), []).append(int(off))
    # grep -o reports non-overlapping matches only: overlapping fragments of
    # one copy are recovered by extending each hit below (scan()).
    return hits


class Finding:
    def __init__(self, label, form, text, start, length, offset, addr, region,
                 context):
        self.label, self.form, self.text = label, form, text
        self.start, self.length = start, length
        self.offset, self.addr, self.region = offset, addr, region
        self.context = context

    def describe(self):
        return ("%s as %s: %d of its %d bytes (from byte %d) at %s in %s; "
                "around it: %r" % (
                    self.label, self.form, self.length, len(self.text),
                    self.start, "0x%x" % self.addr if self.addr else "?",
                    self.region, self.context))


def scan(core_path, maps_text, targets):
    """targets: {label: {form name: text}}.  Returns [Finding], one per copy
    (the longest form that explains it)."""
    with open(core_path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        return _scan(core_path, data, maps_text, targets)
    finally:
        data.close()


def _scan(core_path, data, maps_text, targets):
    needles = {}
    for label, forms in targets.items():
        for form, text in forms.items():
            n = min(FRAGMENT, len(text))
            starts = list(range(0, max(1, len(text) - n + 1), STRIDE))
            if len(text) > n:
                starts.append(len(text) - n)  # the tail too
            for i in starts:
                needles.setdefault(text[i:i + n], set()).add((label, form))
    hits = _grep(core_path, needles)
    regions = Regions(core_path, maps_text)
    copies = {}
    for needle, offsets in hits.items():
        for off in offsets:
            for label, form in needles[needle]:
                tb = targets[label][form].encode()
                i = tb.find(needle.encode())
                while i >= 0:
                    base = off - i  # where the whole form would start
                    lo, hi = i, i + len(needle)
                    while lo > 0 and base + lo > 0 and \
                            data[base + lo - 1] == tb[lo - 1]:
                        lo -= 1
                    while hi < len(tb) and base + hi < len(data) and \
                            data[base + hi] == tb[hi]:
                        hi += 1
                    key = (label, base + lo)
                    best = copies.get(key)
                    if best is None or hi - lo > best[2] - best[1]:
                        copies[key] = (form, lo, hi)
                    i = tb.find(needle.encode(), i + 1)
    findings = []
    for (label, start_off), (form, lo, hi) in sorted(copies.items()):
        addr, region = regions.where(start_off)
        ctx = data[max(0, start_off - 24):start_off + (hi - lo) + 24]
        findings.append(Finding(label, form, targets[label][form], lo, hi - lo,
                                start_off, addr, region, ctx))
    return _dedupe(findings)


def _dedupe(findings):
    """One copy found as two forms (a shorter form inside a longer one, or
    two starts): the longest, first."""
    findings.sort(key=lambda f: (f.label, f.offset, -f.length))
    out = []
    for f in findings:
        if out and out[-1].label == f.label and \
                f.offset < out[-1].offset + out[-1].length:
            continue
        out.append(f)
    return out


def read_maps(pid):
    with open("/proc/%d/maps" % pid) as f:
        return f.read()
