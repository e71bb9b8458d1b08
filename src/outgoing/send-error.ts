/** A send that cannot be done, with the HTTP status that says why. */
export class SendError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
