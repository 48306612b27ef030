# Minimal safetensors reader/writer for the Python oracle (the `safetensors` package is not in Debian bookworm).
# Same format as safetensors.torch.load_file / save_file.
import json, struct, torch

_DT = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'BF16': torch.bfloat16, 'I64': torch.int64,
       'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool}
_RDT = {v: k for k, v in _DT.items()}

def load_file(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    header.pop('__metadata__', None)
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        buf = bytearray(data[b:e])
        t = torch.frombuffer(buf, dtype=_DT[info['dtype']]) if e > b else torch.empty(0, dtype=_DT[info['dtype']])
        out[name] = t.reshape(info['shape']).clone()
    return out

def save_file(tensors, path, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        b = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b''
        if t.dtype == torch.bool:
            b = t.to(torch.uint8).numpy().tobytes()
        header[name] = {'dtype': _RDT[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
