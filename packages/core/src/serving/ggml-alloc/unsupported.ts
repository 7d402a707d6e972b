/**
 * Thrown by a graph builder for a model it does not cover (a MoE layer in a dense builder without a MoE
 * hook, a recurrent layer): the caller falls back to its other model of the compute buffer.
 */
export class UnsupportedGraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedGraphError';
  }
}
