import crypto from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '../../../src/auth/webauthn/index.js';
import { encodeCbor, type CborValue } from './cbor.js';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface CeremonyOverrides {
  /** The origin the "browser" puts in clientDataJSON. */
  origin?: string;
  /** The RP ID whose hash goes into authenticator data (default: the one the options name). */
  rpId?: string;
  userVerified?: boolean;
  /** Sign over this challenge instead of the one in the options. */
  challenge?: string;
  /** Leave the user handle out of an assertion (as a non-discoverable credential does). */
  omitUserHandle?: boolean;
}

/**
 * A software WebAuthn authenticator: a real P-256 key pair, real authenticator data, a real
 * `none` attestation object and real ECDSA assertions, so the library under test runs unmocked.
 */
export class SoftwareAuthenticator {
  readonly credentialId: Buffer;
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private userHandle: string | undefined;

  /** `counterStep` 0 models an authenticator without a counter (always reports 0). */
  constructor(
    private readonly defaultOrigin: string,
    private signCount = 0,
    private readonly counterStep = 1,
    keys?: { privateKey: crypto.KeyObject; publicKey: crypto.KeyObject; credentialId: Buffer },
  ) {
    const pair = keys ?? {
      ...crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      credentialId: crypto.randomBytes(32),
    };
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.credentialId = pair.credentialId;
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  /** The same key, id and counter: what an attacker who extracted the key would hold. */
  clone(o: { signCount?: number; counterStep?: number } = {}): SoftwareAuthenticator {
    const copy = new SoftwareAuthenticator(
      this.defaultOrigin,
      o.signCount ?? this.signCount,
      o.counterStep ?? this.counterStep,
      {
        privateKey: this.privateKey,
        publicKey: this.publicKey,
        credentialId: this.credentialId,
      },
    );
    copy.userHandle = this.userHandle;
    return copy;
  }

  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    o: CeremonyOverrides = {},
  ): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, o);
    const jwk = this.publicKey.export({ format: 'jwk' });
    const coseKey = encodeCbor(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.authDataHead(o.rpId ?? options.rp.id!, FLAG_UP | FLAG_AT | this.uv(o)),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      this.credentialId,
      coseKey,
    ]);
    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CborValue>()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    o: CeremonyOverrides = {},
  ): AuthenticationResponseJSON {
    this.signCount += this.counterStep;
    const clientDataJSON = this.clientData('webauthn.get', o.challenge ?? options.challenge, o);
    const authData = this.authDataHead(o.rpId ?? options.rpId!, FLAG_UP | this.uv(o));
    const clientDataHash = crypto.createHash('sha256').update(clientDataJSON).digest();
    // ECDSA over authData ‖ SHA-256(clientDataJSON), DER-encoded (WebAuthn §6.3.3, §5.8.5).
    const signature = crypto.sign(
      'sha256',
      Buffer.concat([authData, clientDataHash]),
      this.privateKey,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(o.omitUserHandle || !this.userHandle ? {} : { userHandle: this.userHandle }),
      },
      clientExtensionResults: {},
    };
  }

  private clientData(type: string, challenge: string, o: CeremonyOverrides): Buffer {
    const origin = o.origin ?? this.defaultOrigin;
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  /** rpIdHash (32) ‖ flags (1) ‖ signCount (4, big-endian). */
  private authDataHead(rpId: string, flags: number): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.signCount);
    return Buffer.concat([
      crypto.createHash('sha256').update(rpId).digest(),
      Buffer.from([flags]),
      count,
    ]);
  }

  private uv(o: CeremonyOverrides): number {
    return o.userVerified === false ? 0 : FLAG_UV;
  }
}
