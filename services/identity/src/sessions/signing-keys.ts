import { Inject, Injectable } from '@nestjs/common';
import { exportJWK, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { generateSigningKey, TOKEN_ALGORITHM, type SigningKey } from '@billing/auth';
import { quoteIdentifier } from '@billing/database';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';

/**
 * The identity service's token signing keys, persisted in its `signing_keys` table: the first use
 * generates an Ed25519 key (exported as a JWK with jose `exportJWK`) when the table is empty; the newest
 * unretired key signs; every stored key's public half stays in the JWKS, so tokens signed before a
 * rotation still verify. Processes racing on an empty table may both insert: all of them then sign
 * with the same (oldest) key, and both public keys are served.
 */
@Injectable()
export class SigningKeyStore {
  #current: Promise<SigningKey> | undefined;
  readonly #s: string;

  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {
    this.#s = quoteIdentifier(service.schema);
  }

  /** The key that signs new tokens (created on first use). */
  current(): Promise<SigningKey> {
    this.#current ??= this.#load().catch((error: unknown) => {
      this.#current = undefined;
      throw error;
    });
    return this.#current;
  }

  async #load(): Promise<SigningKey> {
    let row = await this.#active();
    if (!row) {
      const key = await generateSigningKey();
      const privateJwk = { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: TOKEN_ALGORITHM };
      await this.service.db.query(`INSERT INTO ${this.#s}.signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3) ON CONFLICT (kid) DO NOTHING`, [
        key.kid,
        JSON.stringify(privateJwk),
        JSON.stringify(key.publicJwk),
      ]);
      row = await this.#active();
    }
    if (!row) throw new Error('no signing key could be stored');
    const privateKey = (await importJWK(row.private_jwk, TOKEN_ALGORITHM)) as CryptoKey;
    return { kid: row.kid, privateKey, publicJwk: row.public_jwk };
  }

  async #active(): Promise<{ kid: string; private_jwk: JWK; public_jwk: JWK } | undefined> {
    const rows = await this.service.db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
      `SELECT kid, private_jwk, public_jwk FROM ${this.#s}.signing_keys WHERE retired_at IS NULL ORDER BY created_at, kid LIMIT 1`,
    );
    return rows.rows[0];
  }

  /** Retires the signing key and makes a new one sign from now on (the old public key stays in the JWKS). */
  async rotate(): Promise<SigningKey> {
    const current = await this.current();
    await this.service.db.query(`UPDATE ${this.#s}.signing_keys SET retired_at = now() WHERE kid = $1`, [current.kid]);
    this.#current = undefined;
    return this.current();
  }

  /** The JWKS served at `/.well-known/jwks.json`: every stored public key (the signing one first). */
  async jwks(): Promise<JSONWebKeySet> {
    await this.current();
    const rows = await this.service.db.query<{ public_jwk: JWK }>(
      `SELECT public_jwk FROM ${this.#s}.signing_keys ORDER BY retired_at IS NOT NULL, created_at DESC, kid`,
    );
    return { keys: rows.rows.map((row) => row.public_jwk) };
  }
}
