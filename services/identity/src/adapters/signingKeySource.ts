import type { Sidecar } from '@staycar/common';
import { SigningKeysError } from '../domain/signingKeys';
import type { SigningKeySource } from '../ports';

/**
 * The key inside the secret that holds the key set. A single-valued store (the local file store)
 * answers one key named like the secret, `jwt-signing-keys`; in Kubernetes it is the data key of the
 * Secret (`kubectl create secret generic staycar-jwt-signing-keys --from-file=jwt-signing-keys=…`).
 */
export const SIGNING_KEYS_FIELD = 'jwt-signing-keys';

/** Reads the signing keys through the sidecar's secrets API. */
export class DaprSigningKeySource implements SigningKeySource {
  constructor(
    private readonly sidecar: Pick<Sidecar, 'getSecret'>,
    private readonly store: string,
    private readonly secret: string,
  ) {}

  async read(): Promise<string> {
    const values = await this.sidecar.getSecret(this.store, this.secret);
    const value = values[SIGNING_KEYS_FIELD];
    if (value === undefined) {
      const present = Object.keys(values).join(', ') || 'none';
      throw new SigningKeysError(`Secret ${this.secret} in store ${this.store} has no key "${SIGNING_KEYS_FIELD}" (keys: ${present}).`);
    }
    return value;
  }
}
