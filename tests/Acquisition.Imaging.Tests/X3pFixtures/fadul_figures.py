#!/usr/bin/env python3
# Usage: python3 fadul_figures.py Fadul_*.x3p  (standard library only: no X3P reader shared with the C# code)
# Independent figures for the Fadul X3P files: parses main.xml with ElementTree and bindata/data.bin with struct.
import sys, zipfile, struct, math, hashlib
import xml.etree.ElementTree as ET
for f in sys.argv[1:]:
    z = zipfile.ZipFile(f)
    root = ET.fromstring(z.read('main.xml'))
    def find(tag):
        return [e for e in root.iter() if e.tag.split('}')[-1] == tag]
    sx = int(find('SizeX')[0].text); sy = int(find('SizeY')[0].text)
    cx = find('CX')[0]; cy = find('CY')[0]
    incx = [e.text for e in cx if e.tag.split('}')[-1]=='Increment'][0]
    incy = [e.text for e in cy if e.tag.split('}')[-1]=='Increment'][0]
    dt = [e.text for e in find('CZ')[0] if e.tag.split('}')[-1]=='DataType'][0]
    raw = z.read('bindata/data.bin')
    assert dt == 'D' and len(raw) == 8*sx*sy, (dt, len(raw))
    v = struct.unpack('<%dd' % (sx*sy), raw)
    fin = [x for x in v if not math.isnan(x)]
    n = len(fin)
    mn = min(fin); mx = max(fin)
    rms = math.sqrt(sum(x*x for x in fin)/n)
    mean = sum(fin)/n
    imin = v.index(mn); imax = v.index(mx)
    print(f"{f}: {sx}x{sy} inc {incx} {incy} dt {dt} nan {sx*sy-n} finite {n}")
    print(f"  min {mn*1e6:.6f} um at ix {imin%sx} iy {imin//sx}; max {mx*1e6:.6f} um at ix {imax%sx} iy {imax//sx}")
    print(f"  rms {rms*1e6:.6f} um mean {mean*1e6:.6f} um; md5 {hashlib.md5(raw).hexdigest()}")
    print(f"  min repr {mn!r} max repr {mx!r}")
