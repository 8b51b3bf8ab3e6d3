/**
 * ARI error responses, shaped like res/res_ari.c: ast_ari_response_error() gives
 * {"message": "..."} with a status line text; ast_ari_response_alloc_failed() gives
 * {"error": "Allocation failed"} with 500.
 */
export class AriError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = defaultReason(status),
    readonly body: Record<string, unknown> = { message },
  ) {
    super(message);
  }
}

export function defaultReason(status: number): string {
  switch (status) {
    case 200:
      return 'OK';
    case 201:
      return 'Created';
    case 202:
      return 'Accepted';
    case 204:
      return 'No Content';
    case 400:
      return 'Bad Request';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not Found';
    case 405:
      return 'Method Not Allowed';
    case 409:
      return 'Conflict';
    case 412:
      return 'Precondition Failed';
    case 413:
      return 'Request Entity Too Large';
    case 422:
      return 'Unprocessable Entity';
    case 500:
      return 'Internal Server Error';
    case 501:
      return 'Not Implemented';
    case 503:
      return 'Service Unavailable';
    default:
      return 'Unknown';
  }
}

export const err = (status: number, message: string, reason?: string): AriError =>
  new AriError(status, message, reason);

/** ast_ari_response_alloc_failed(): also what ARI answers when ast_request() fails (originate/create). */
export const allocFailed = (): AriError =>
  new AriError(500, 'Allocation failed', 'Internal Server Error', { error: 'Allocation failed' });

/** Errors raised by the control API of the fake (not ARI). */
export class FakeUsageError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
