#!/usr/bin/env python3
"""The primitive arrays in a heap dump, by type and size, largest total first: what the class
histogram cannot say about whose buffers fill a heap (the sizes are the signature: Tomcat's
connection and request buffers are 8 KB and 16 KB each). Usage: python3 bench/heap_arrays.py FILE.hprof,
for instance on the dump `BENCH_HEAP_DUMP=FILE sh bench/run.sh streams` takes at the plateau.
Reads the HPROF format (the JDK's heap dump) with nothing beyond Python's standard library."""
import collections
import mmap
import struct
import sys

f = open(sys.argv[1], 'rb'); m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
p = m.find(b'\0') + 1
ids = struct.unpack('>I', m[p:p+4])[0]; p += 12
SZ = {2: ids, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
hist = collections.Counter(); n = len(m)
while p < n:
    tag = m[p]; length = struct.unpack('>I', m[p+5:p+9])[0]; p += 9; end = p + length
    if tag in (0x0C, 0x1C):
        q = p
        while q < end:
            st = m[q]; q += 1
            if st == 0xFF: q += ids
            elif st == 0x01: q += 2*ids
            elif st in (0x02, 0x03): q += ids + 8
            elif st == 0x04: q += ids + 4
            elif st == 0x05: q += ids
            elif st == 0x06: q += ids + 4
            elif st == 0x07: q += ids
            elif st == 0x08: q += ids + 8
            elif st == 0x20:
                q += 7*ids + 8
                cp = struct.unpack('>H', m[q:q+2])[0]; q += 2
                for _ in range(cp):
                    t = m[q+2]; q += 3 + SZ[t]
                sc = struct.unpack('>H', m[q:q+2])[0]; q += 2
                for _ in range(sc):
                    t = m[q+ids]; q += ids + 1 + SZ[t]
                fc = struct.unpack('>H', m[q:q+2])[0]; q += 2 + fc*(ids+1)
            elif st == 0x21:
                q += 2*ids + 4; nb = struct.unpack('>I', m[q:q+4])[0]; q += 4 + nb
            elif st == 0x22:
                q += ids + 4; c = struct.unpack('>I', m[q:q+4])[0]; q += 4 + ids + c*ids
            elif st == 0x23:
                q += ids + 4; c, t = struct.unpack('>IB', m[q:q+5]); q += 5 + c*SZ[t]
                hist[(t, c*SZ[t])] += 1
            else:
                raise SystemExit(f'unknown subtag {st:#x} at {q}')
    p = end
names = {5: 'char[]', 8: 'byte[]', 10: 'int[]', 11: 'long[]'}
tot = collections.Counter()
for (t, b), c in hist.items(): tot[(t, b)] = b*c
for (t, b), total in tot.most_common(25):
    print(f'{names.get(t, t)} {b} bytes x {hist[(t,b)]} = {total/1048576:.1f} MiB')
