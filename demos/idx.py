"""Read MNIST's IDX files (raw or gzip-compressed) into numpy arrays.

The IDX format (yann.lecun.com/exdb/mnist): a 4-byte magic number — two zero bytes, a type
code (0x08 unsigned byte, 0x09 signed byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64),
the number of dimensions — then one big-endian uint32 per dimension, then the data, big-endian,
row-major. A file that is missing or malformed raises an error naming the file and the fault.
"""

import gzip
from pathlib import Path

import numpy as np

TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
         0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}

MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


class IDXError(ValueError):
    """An IDX file is malformed; the message names the file and what is wrong."""


def read_idx(path):
    """The array stored in an IDX file (gzip-compressed if its name ends in .gz)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {path} does not exist")
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as error:  # a corrupt .gz
        raise IDXError(f"{path}: cannot decompress: {error}") from None
    if len(data) < 4:
        raise IDXError(f"{path}: {len(data)} bytes, too short for the 4-byte IDX magic number")
    zero, type_code, ndim = int.from_bytes(data[:2], "big"), data[2], data[3]
    if zero != 0:
        raise IDXError(f"{path}: not an IDX file (magic number {data[:4].hex()} does not start with 0000)")
    if type_code not in TYPES:
        raise IDXError(f"{path}: unknown IDX type code 0x{type_code:02x} (expected one of "
                       f"{', '.join(f'0x{c:02x}' for c in TYPES)})")
    if ndim == 0:
        raise IDXError(f"{path}: the magic number says 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{path}: truncated header: {ndim} dimensions need {header} bytes, the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = TYPES[type_code]
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise IDXError(f"{path}: the header says shape {shape} of {dtype.name} ({expected} bytes in all), "
                       f"but the file has {len(data)} bytes")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find(folder, stem):
    """folder/stem or folder/stem.gz (also the common variant with '.' for the last '-')."""
    folder = Path(folder)
    candidates = [stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"]
    for name in candidates:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"MNIST folder {folder}: no file {stem} or {stem}.gz")


def load_mnist(folder):
    """{"train_images": (60000, 784) floats, "train_labels": (60000,) ints, and test_*}.

    Pixels stored as integers (MNIST's bytes 0-255) are scaled to [0, 1]; pixels stored as
    floats (IDX types 0x0D, 0x0E) are taken as they are, already scaled.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"MNIST folder {folder} does not exist")
    paths = {key: find(folder, stem) for key, stem in MNIST_FILES.items()}
    arrays = {key: (read_idx(path), path) for key, path in paths.items()}
    out = {}
    for part in ("train", "test"):
        (images, image_file), (labels, label_file) = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise IDXError(f"{image_file}: expected images of shape (N, 28, 28), got {images.shape}")
        if labels.ndim != 1 or len(labels) != len(images):
            raise IDXError(f"{label_file}: expected {len(images)} labels (one per image of {image_file.name}), "
                           f"got shape {labels.shape}")
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise IDXError(f"{label_file}: labels must be digits 0-9, found {labels.min()}..{labels.max()}")
        pixels = images.reshape(len(images), -1).astype(float)
        out[f"{part}_images"] = pixels if images.dtype.kind == "f" else pixels / 255.0
        out[f"{part}_labels"] = labels.astype(int)
    return out


def write_idx(path, array):
    """Write an array as an IDX file (gzip if the name ends in .gz): for tests and small fixtures."""
    array = np.asarray(array)
    codes = {dtype.str.lstrip("<>|="): code for code, dtype in TYPES.items()}
    key = array.dtype.str.lstrip("<>|=")
    if key not in codes:
        raise TypeError(f"write_idx: no IDX type for dtype {array.dtype}")
    big = array.astype(TYPES[codes[key]])
    data = bytes([0, 0, codes[key], array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    data += big.tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path
