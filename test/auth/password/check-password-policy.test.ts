import { describe, expect, it } from 'vitest';

import {
  checkPasswordPolicy,
  commonPasswordSet,
  MAX_PASSWORD_LENGTH,
  UnknownPasswordRoleError,
  type PolicyOptions,
  type PasswordRole,
} from '../../../src/auth/password/index.js';

const staff: PolicyOptions = { role: 'staff' };
const patient: PolicyOptions = { role: 'patient' };

/** Deterministic text over a large alphabet: no runs, no repeated unit, in no breach list. */
function scrambled(length: number, seed = 7): string {
  const alphabet = 'bcdfghjkmnpqrstvwxzBCDFGHJKMNPQRSTVWXZ2345679#%&*+=?@~';
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

function reasons(password: string, options: PolicyOptions): string[] {
  const result = checkPasswordPolicy(password, options);
  return result.ok ? [] : result.reasons;
}

describe('checkPasswordPolicy: length (NIST SP 800-63B §3.1.1.2)', () => {
  it.each<[PasswordRole, number]>([
    ['staff', 12],
    ['patient', 8],
  ])('%s: refuses %i - 1 code points, accepts %i', (role, min) => {
    expect(reasons(scrambled(min - 1), { role })).toEqual(['too-short']);
    expect(checkPasswordPolicy(scrambled(min), { role })).toEqual({ ok: true });
  });

  it('accepts 64 and 256 code points, refuses 257 as too long', () => {
    expect(checkPasswordPolicy(scrambled(64), staff)).toEqual({ ok: true });
    expect(checkPasswordPolicy(scrambled(MAX_PASSWORD_LENGTH), staff)).toEqual({ ok: true });
    expect(checkPasswordPolicy(scrambled(MAX_PASSWORD_LENGTH + 1), staff)).toEqual({
      ok: false,
      reasons: ['too-long'],
    });
  });

  it('refuses a megabyte of input as too long without other findings', () => {
    expect(checkPasswordPolicy('a'.repeat(1_000_000), staff)).toEqual({
      ok: false,
      reasons: ['too-long'],
    });
  });

  it('counts code points, not UTF-16 units: 12 emoji are 24 units but 12 characters', () => {
    const emoji = ['🦊', '🌵', '🎻', '🚲', '🧊', '🪁', '🦉', '🍋', '🛶', '🎲', '🧭', '🪴'];
    expect(emoji.join('').length).toBe(24);
    expect(checkPasswordPolicy(emoji.join(''), staff)).toEqual({ ok: true });
    expect(reasons(emoji.slice(0, 11).join(''), staff)).toEqual(['too-short']);
  });

  it('counts after NFKC: a letter plus combining accent is one character', () => {
    const decomposed = 'a\u0301e\u0301i\u0301o\u0301u\u0301y\u0301w'; // 14 code points
    expect([...decomposed]).toHaveLength(13);
    expect(reasons(decomposed, patient)).toEqual(['too-short']); // áéíóúýw = 7
    expect(checkPasswordPolicy(`${decomposed}k`, patient)).toEqual({ ok: true });
  });

  it('at 256 code points counts an astral character once (512 UTF-16 units accepted)', () => {
    const astral = Array.from({ length: 256 }, (_, i) => String.fromCodePoint(0x1f300 + i * 3));
    expect(checkPasswordPolicy(astral.join(''), staff)).toEqual({ ok: true });
  });
});

describe('checkPasswordPolicy: any characters, no composition rules', () => {
  it.each([
    'tangerine ostrich marble quietly 47',
    'my cat 🐈 eats lasagna at noon',
    'über straße kräht laut',
    'всё течёт всё меняется',
    'thisisalllowercasewithnodigits',
    '    leading and trailing spaces    ',
  ])('accepts %j', (password) => {
    expect(checkPasswordPolicy(password, staff)).toEqual({ ok: true });
  });

  it('accepts a long random passphrase', () => {
    const passphrase = 'velvet anchor thistle comet rhubarb lantern osprey 1967';
    expect(checkPasswordPolicy(passphrase, staff)).toEqual({ ok: true });
    expect(checkPasswordPolicy(passphrase, patient)).toEqual({ ok: true });
  });
});

describe('checkPasswordPolicy: common and breached passwords', () => {
  const list = commonPasswordSet();

  it('has loaded at least 100,000 entries', () => {
    expect(list.size).toBeGreaterThanOrEqual(100_000);
  });

  it('refuses real entries of the loaded list, sampled across it', () => {
    const entries = [...list];
    const long = entries.filter((p) => [...p].length >= 12);
    const sample = Array.from({ length: 12 }, (_, i) => long[Math.floor((i * long.length) / 12)]!);
    const anyLength = Array.from(
      { length: 12 },
      (_, i) => entries[Math.floor((i * entries.length) / 12)]!,
    );
    for (const password of sample) expect(reasons(password, staff)).toContain('common');
    for (const password of anyLength) expect(reasons(password, patient)).toContain('common');
  });

  it.each(['password1234', '1qaz2wsx3edc', 'iloveyou1234', 'baseball1234', 'qwertyuiop123'])(
    'refuses the well-known %j',
    (password) => {
      expect(reasons(password, staff)).toContain('common');
    },
  );

  it('compares case-insensitively and after NFKC (full-width characters)', () => {
    expect(reasons('PassWord1234', staff)).toContain('common');
    expect(reasons('ＰＡＳＳＷＯＲＤ１２３４', staff)).toContain('common');
  });

  it.each([
    'Password123!',
    'Password123!!',
    'P@ssw0rd2024!',
    '!!Password123',
    'Passw0rd#2024',
    'Monkey2024!!',
    'Sunsh1ne!!2023',
    'Dragon#987654',
    'Welcome2Haven'.replace('Haven', '2025!'),
  ])('refuses %j, a listed password under a guessable decoration', (password) => {
    expect(reasons(password, staff)).toContain('common');
  });

  it.each(['Tulip-Vase-Comet-42', 'quiet orbit lantern 7!', 'Xq9v#Lm2!Rt8'])(
    'accepts %j, whose undecorated forms are not listed',
    (password) => {
      expect(checkPasswordPolicy(password, staff)).toEqual({ ok: true });
    },
  );

  it('ignores spaces put into a listed password', () => {
    expect(reasons('password 1234', staff)).toContain('common');
  });
});

describe('checkPasswordPolicy: context-specific words', () => {
  const jane: PolicyOptions = {
    role: 'patient',
    context: ['Jane.Okafor@clinic.example', 'Jane', 'Okafor'],
  };

  it.each([
    'jane.okafor.2024',
    'JaneOkafor!x9',
    'okafor family farm',
    'my name is jane and i like tea',
    'safe haven by the lake',
  ])('refuses %j', (password) => {
    expect(reasons(password, jane)).toEqual(['contextual']);
  });

  it('refuses the labels of the email domain, but not its top-level domain', () => {
    expect(reasons('clinic velvet anchor tulip', jane)).toEqual(['contextual']);
    expect(checkPasswordPolicy('example velvet anchor tulip', jane)).toEqual({ ok: true });
  });

  it('refuses the product name and the name under leet substitutions', () => {
    expect(reasons('H@v3n velvet anchor', patient)).toEqual(['contextual']);
    expect(reasons('0k4f0r tulip velvet', jane)).toEqual(['contextual']);
  });

  it('ignores context words shorter than three characters', () => {
    const li: PolicyOptions = { role: 'patient', context: ['Li'] };
    expect(checkPasswordPolicy('lime green tulip vase 7', li)).toEqual({ ok: true });
  });
});

describe('checkPasswordPolicy: repetitive and sequential', () => {
  it.each([
    'aaaaaaaaaaaa',
    '123456789012',
    'abcdefghijkl',
    'zyxwvutsrqpo',
    'abcdefgh1234',
    'aaaabbbbcccc',
    'xq7!xq7!xq7!',
    'Summer2024!Summer2024!',
    'k7#Q k7#Q k7#Q k7#Q',
  ])('refuses %j', (password) => {
    expect(reasons(password, staff)).toContain('repetitive');
  });

  it.each(['Tr0ub4dor&3xyz', 'velvet anchor thistle comet', 'ab12cd34ef56gh'])(
    'accepts %j',
    (password) => {
      expect(checkPasswordPolicy(password, staff)).toEqual({ ok: true });
    },
  );
});

describe('checkPasswordPolicy: result shape', () => {
  it('reports every reason found, in a fixed order', () => {
    expect(reasons('aaaaaaaaaa', { role: 'staff', context: ['aaaa@x.example'] })).toEqual([
      'too-short',
      'common',
      'contextual',
      'repetitive',
    ]);
  });

  it('never echoes the password', () => {
    for (const password of ['password1234', 'jane.okafor.2024', 'xK7#q', 'abcdefghijkl']) {
      const result = checkPasswordPolicy(password, { role: 'staff', context: ['jane.okafor'] });
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain(password);
    }
  });

  it('throws for an unknown role instead of applying no minimum', () => {
    expect(() => checkPasswordPolicy('x', { role: 'admin' as PasswordRole })).toThrow(
      UnknownPasswordRoleError,
    );
    expect(() => checkPasswordPolicy('x', { role: 'toString' as PasswordRole })).toThrow(
      UnknownPasswordRoleError,
    );
  });
});
