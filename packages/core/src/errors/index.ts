export { ConfigValidationError } from './config-validation-error.js';
export { type InputIssue, InvalidInputError } from './invalid-input-error.js';
export { NoSuchFormatError } from './no-such-format-error.js';
export { UnsupportedArchitectureError } from './unsupported-architecture-error.js';
export { VramkitError, type VramkitErrorCode, type VramkitErrorOptions } from './vramkit-error.js';
