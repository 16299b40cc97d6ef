import type { ApiErrorBody } from '../../../api/contract.js';

/** The one way to read a thrown value's message, shared with main. */
export { errorMessage } from '../../../api/errors.js';

/** An Api failure as the renderer sees it, whichever transport carried it. */
export class ClientError extends Error {
  constructor(
    readonly code: ApiErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}
