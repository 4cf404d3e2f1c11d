import { ScalarType, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/**
 * Structural checks protobuf decoding does not make (internal).
 *
 * Protobuf binary decoding is lenient: a reader reads a field by its declared type whatever the wire
 * says, and skips unknown fields. These checks catch bytes that decode "successfully" into nonsense.
 */

const maxDepth = 32;

/** Wire types a field may legitimately be encoded with. */
function allowedWireTypes(field: DescField): readonly WireType[] {
  switch (field.fieldKind) {
    case 'scalar':
      return [scalarWireType(field.scalar)];
    case 'enum':
      return [WireType.Varint];
    case 'message':
      return [field.delimitedEncoding ? WireType.StartGroup : WireType.LengthDelimited];
    case 'map':
      return [WireType.LengthDelimited];
    case 'list':
      if (field.listKind === 'message') return [field.delimitedEncoding ? WireType.StartGroup : WireType.LengthDelimited];
      if (field.listKind === 'enum') return [WireType.Varint, WireType.LengthDelimited];
      // Numeric lists may be packed (length-delimited) or not.
      return [...new Set([scalarWireType(field.scalar), WireType.LengthDelimited])];
  }
}

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

/**
 * Checks that every known field of `desc` in `bytes` (recursively, for nested messages) is encoded
 * with a wire type its declaration allows. Unknown fields (added by newer producers) are skipped.
 * @throws Error describing the first mismatch, or the protobuf reader's error on malformed bytes.
 */
export function assertWireTypes(desc: DescMessage, bytes: Uint8Array, depth = 0): void {
  if (depth > maxDepth) throw new Error(`${desc.typeName}: nesting deeper than ${maxDepth}`);
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const field = desc.fields.find((candidate) => candidate.number === fieldNo);
    if (field === undefined) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    if (!allowedWireTypes(field).includes(wireType)) {
      throw new Error(`${desc.typeName}.${field.name} (field ${fieldNo}) has wire type ${WireType[wireType]}, which its type does not allow`);
    }
    if (wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    const data = reader.bytes();
    const nested = field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message') ? field.message : undefined;
    if (nested !== undefined) assertWireTypes(nested, data, depth + 1);
  }
}

/** An identifier field: `id` or `*_id`. */
function isIdField(field: DescField): boolean {
  return field.name === 'id' || field.name.endsWith('_id');
}

/**
 * The contracts' presence convention (see proto/envelope/v1/envelope.proto): fields named `*_id` and
 * message-typed fields are required unless declared `optional` (or part of a oneof). Returns the path
 * of the first missing required field of `message` (recursively), or undefined when none is missing.
 */
export function findMissingRequiredField(desc: DescMessage, message: Message, path: string = desc.typeName): string | undefined {
  const values = message as unknown as Record<string, unknown>;
  for (const field of desc.fields) {
    const fieldPath = `${path}.${field.name}`;
    if (field.oneof !== undefined) {
      const oneof = values[field.oneof.localName] as { case: string | undefined; value?: unknown };
      if (field.fieldKind === 'message' && oneof.case === field.localName) {
        const missing = findMissingRequiredField(field.message, oneof.value as Message, fieldPath);
        if (missing !== undefined) return missing;
      }
      continue;
    }
    const value = values[field.localName];
    const optional = field.proto.proto3Optional === true;
    switch (field.fieldKind) {
      case 'scalar':
        if (!optional && field.scalar === ScalarType.STRING && isIdField(field) && value === '') return fieldPath;
        break;
      case 'message':
        if (value === undefined) {
          if (!optional) return fieldPath;
        } else {
          const missing = findMissingRequiredField(field.message, value as Message, fieldPath);
          if (missing !== undefined) return missing;
        }
        break;
      case 'list':
        if (field.listKind === 'message') {
          const items = value as readonly Message[];
          for (const [index, item] of items.entries()) {
            const missing = findMissingRequiredField(field.message, item, `${fieldPath}[${index}]`);
            if (missing !== undefined) return missing;
          }
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}
