"""Compares kiln's promotion table (kiln-promotion-table on stdin) with
torch.result_type for every pair of operands it lists, and its canCast
with torch.can_cast for every pair of dtypes.

Operands are `t:<dtype>` (a dimensioned tensor), `z:<dtype>` (a 0-dim
tensor) and `n:bool|int|float` (a Python number)."""
import sys

import torch

DTYPES = {
    "bool": torch.bool, "uint8": torch.uint8, "int8": torch.int8,
    "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
    "float16": torch.float16, "bfloat16": torch.bfloat16,
    "float32": torch.float32, "float64": torch.float64,
}
# The names kiln prints (kiln_dtype_name).
KILN_NAMES = {
    torch.bool: "bool", torch.uint8: "u8", torch.int8: "i8",
    torch.int16: "i16", torch.int32: "i32", torch.int64: "i64",
    torch.float16: "f16", torch.bfloat16: "bf16", torch.float32: "f32",
    torch.float64: "f64",
}
NUMBERS = {"bool": True, "int": 3, "float": 0.5}


def operand(spec):
    kind, name = spec.split(":")
    if kind == "n":
        return NUMBERS[name]
    shape = (2,) if kind == "t" else ()
    return torch.zeros(shape, dtype=DTYPES[name])


def main():
    seen = mismatches = 0
    casts = 0
    for line in sys.stdin:
        if line.startswith("cast "):
            _, a, b, got = line.split()
            want = "yes" if torch.can_cast(DTYPES[a[2:]], DTYPES[b[2:]]) else "no"
            casts += 1
            if got != want:
                mismatches += 1
                print(f"MISMATCH can_cast {a} {b}: kiln {got}, torch {want}")
            continue
        a, b, got = line.split()
        want = KILN_NAMES[torch.result_type(operand(a), operand(b))]
        seen += 1
        if got != want:
            mismatches += 1
            print(f"MISMATCH {a} {b}: kiln {got}, torch {want}")
    # 20 tensor operands and 3 numbers, every pair but number-number.
    expected = 23 * 23 - 9
    if seen != expected or casts != 100:
        print(f"expected {expected} pairs and 100 casts, got {seen} and {casts}")
        return 1
    print(f"{seen} pairs, {casts} casts, {mismatches} mismatches")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
