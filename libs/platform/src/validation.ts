import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { RequestValidationError, type FieldError } from './problem-details.js';

/** A path segment as zod and Standard Schema report it. */
type PathSegment = PropertyKey | { key: PropertyKey };

/** The subset of a Standard Schema (zod 4 implements it) the pipe relies on. */
interface StandardSchemaLike {
  '~standard': {
    validate(value: unknown): StandardResult | Promise<StandardResult>;
  };
}
type StandardResult =
  | { value: unknown; issues?: undefined }
  | { issues: ReadonlyArray<{ message: string; path?: ReadonlyArray<PathSegment> | undefined }> };

function fieldOf(path: ReadonlyArray<PathSegment> | undefined, metadata: ArgumentMetadata): string {
  const segments = (path ?? []).map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment));
  if (metadata.data) segments.unshift(metadata.data);
  return segments.length > 0 ? segments.join('.') : metadata.type;
}

/**
 * Validates (and transforms) a route argument with a zod schema and, on failure, throws a
 * {@link RequestValidationError}: 400 `request.invalid` with `errors: [{ field, message }]` naming each
 * field (dotted path, prefixed by the parameter name for `@Body('customer')`, `@Param('id')`, …).
 *
 * Two uses:
 * - per argument: `@Body(new ZodValidationPipe(createCustomerSchema)) body: CreateCustomer`;
 * - globally (createHttpApp installs one without a schema): it then validates every argument
 *   declared with Nest 12's schema option, e.g. `@Body({ schema: createCustomerSchema })`, and
 *   passes other arguments through unchanged.
 * Returns the schema's output (defaults applied, values coerced).
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  constructor(private readonly schema?: z.ZodType) {}

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const schema = (this.schema ?? metadata.schema) as StandardSchemaLike | undefined;
    if (!schema) return value;
    if (metadata.type === 'custom' && !this.schema) return value;
    const result = await schema['~standard'].validate(value);
    if (result.issues) {
      const errors: FieldError[] = result.issues.map((issue) => ({ field: fieldOf(issue.path, metadata), message: issue.message }));
      throw new RequestValidationError(errors);
    }
    return result.value;
  }
}
