import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { Public } from '@billing/auth';
import { SigningKeyStore } from './signing-keys.js';

/** The public keys every service verifies access tokens with. */
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(SigningKeyStore) private readonly keys: SigningKeyStore) {}

  /** `GET /.well-known/jwks.json` (public): `{ keys: [Ed25519 public JWKs] }` (RFC 7517), current and retired. */
  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<JSONWebKeySet> {
    return this.keys.jwks();
  }
}
