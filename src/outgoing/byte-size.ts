const MB = 1024 * 1024;

/**
 * A size and the limit it broke, in MB with just enough decimals to tell them apart ("1.1 MB"
 * against "1 MB", never "1 MB" against "1 MB"), or in bytes when three decimals do not.
 */
export function sizeAgainstLimit(size: number, limit: number): { size: string; limit: string } {
  for (let digits = 1; digits <= 3; digits++) {
    const [a, b] = [megabytes(size, digits), megabytes(limit, digits)];
    if (a !== b) return { size: a, limit: b };
  }
  return { size: `${size.toLocaleString('en-US')} bytes`, limit: `${limit.toLocaleString('en-US')} bytes` };
}

/** Rounded to `digits` decimals, trailing zeros dropped ("16 MB", "1.1 MB"). */
export function megabytes(bytes: number, digits = 1): string {
  return `${Number((bytes / MB).toFixed(digits))} MB`;
}
