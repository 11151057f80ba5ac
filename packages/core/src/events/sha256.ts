// SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, in plain JavaScript: core runs wherever
// JavaScript does, and Web Crypto's digest is asynchronous, while the engine needs fingerprints
// synchronously, at batch formation. Only fingerprints of commands with an operation id go
// through it, and only when compared or written into a snapshot.

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();
// Reused by every call (the function never yields): allocating them per call cost more than
// hashing a short command.
const W = new Int32Array(64);
const H = new Int32Array(8);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const TAIL = new Uint8Array(128);

/** The SHA-256 digest of `text` (as UTF-8; lone surrogates become U+FFFD), in lowercase hex. */
export function sha256Hex(text: string): string {
  const bytes = encoder.encode(text);
  const length = bytes.length;
  // The message, a 0x80 byte, zeros, and the bit length in the last 8 bytes of a 64-byte block:
  // the whole blocks are read from `bytes`, the last one or two from `TAIL`.
  const blocks = Math.ceil((length + 9) / 64);
  const wholeBlocks = Math.floor(length / 64);
  const tailBytes = (blocks - wholeBlocks) * 64;
  TAIL.fill(0, 0, tailBytes);
  TAIL.set(bytes.subarray(wholeBlocks * 64));
  TAIL[length - wholeBlocks * 64] = 0x80;
  const bits = length * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  for (let i = 0; i < 4; i++) {
    TAIL[tailBytes - 8 + i] = (high >>> (24 - i * 8)) & 0xff;
    TAIL[tailBytes - 4 + i] = (bits >>> (24 - i * 8)) & 0xff;
  }
  H.set(INITIAL);
  for (let block = 0; block < blocks; block++) {
    const source = block < wholeBlocks ? bytes : TAIL;
    const base = block < wholeBlocks ? block * 64 : (block - wholeBlocks) * 64;
    for (let t = 0; t < 16; t++) {
      const i = base + t * 4;
      W[t] =
        ((source[i] as number) << 24) |
        ((source[i + 1] as number) << 16) |
        ((source[i + 2] as number) << 8) |
        (source[i + 3] as number);
    }
    for (let t = 16; t < 64; t++) {
      const x = W[t - 15] as number;
      const y = W[t - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
    }
    let a = H[0] as number;
    let b = H[1] as number;
    let c = H[2] as number;
    let d = H[3] as number;
    let e = H[4] as number;
    let f = H[5] as number;
    let g = H[6] as number;
    let h = H[7] as number;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + (K[t] as number) + (W[t] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    H[0] = (H[0] as number) + a;
    H[1] = (H[1] as number) + b;
    H[2] = (H[2] as number) + c;
    H[3] = (H[3] as number) + d;
    H[4] = (H[4] as number) + e;
    H[5] = (H[5] as number) + f;
    H[6] = (H[6] as number) + g;
    H[7] = (H[7] as number) + h;
  }
  let hex = '';
  for (const word of H) hex += (word >>> 0).toString(16).padStart(8, '0');
  return hex;
}
