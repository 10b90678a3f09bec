#!/usr/bin/env node
// The 6-digit code an authenticator app would show now for a base32 TOTP secret (RFC 6238:
// HMAC-SHA-1, 30-second steps). For trying the sign-in API from a terminal without a phone;
// people use their authenticator app. Usage: node scripts/totp-now.mjs SECRET
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import process from 'node:process';

const secret = (process.argv[2] ?? '').toUpperCase().replace(/[\s=]/g, '');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
let bits = '';
for (const c of secret) {
  const v = ALPHABET.indexOf(c);
  if (v < 0) {
    process.stderr.write('usage: node scripts/totp-now.mjs BASE32SECRET\n');
    process.exit(64);
  }
  bits += v.toString(2).padStart(5, '0');
}
const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
const counter = Buffer.alloc(8);
counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
const mac = crypto.createHmac('sha1', key).update(counter).digest();
const offset = mac[mac.length - 1] & 0x0f;
const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
process.stdout.write(`${String(code).padStart(6, '0')}\n`);
