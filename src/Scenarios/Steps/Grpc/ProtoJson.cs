using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>
/// Turns JSON into protobuf bytes and back by a message's descriptor (from a descriptor set), for
/// gRPC calls to services Probe has no generated code for. Fields by their proto or JSON name;
/// enums by name or number; bytes as base64; repeated fields as arrays (numbers packed); maps as
/// objects. Answers come back as JSON with every singular scalar present (its default when the
/// wire left it out), 64-bit integers as numbers and enums by name, so checks can read them.
/// Well-known types are read as the messages they are (a Timestamp is {"seconds": …}).
/// </summary>
internal static class ProtoJson
{
    /// <summary>The bytes of <paramref name="json"/> as a <paramref name="type"/>.</summary>
    /// <exception cref="FormatException">A field or value that does not fit; the message starts with its JSON path below <paramref name="path"/>.</exception>
    public static byte[] Encode(MessageDescriptor type, JsonElement json, string path = "")
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        WriteMessage(output, type, json, path);
        output.Flush();
        return buffer.ToArray();
    }

    /// <summary>The JSON text of <paramref name="data"/>, a <paramref name="type"/>.</summary>
    /// <exception cref="InvalidProtocolBufferException">The bytes are not such a message.</exception>
    /// <exception cref="FormatException">A field of a type this cannot read.</exception>
    public static string Decode(MessageDescriptor type, ReadOnlySpan<byte> data)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            WriteJson(w, type, Read(type, new CodedInputStream(data.ToArray())));
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMessage(CodedOutputStream output, MessageDescriptor type, JsonElement json, string path)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{Where(path)}: a {type.FullName} is a JSON object, not {json.ValueKind.ToString().ToLowerInvariant()}");
        }

        foreach (JsonProperty property in json.EnumerateObject())
        {
            string at = $"{path}.{property.Name}";
            FieldDescriptor field = type.Fields.InDeclarationOrder().FirstOrDefault(f => f.Name == property.Name || f.JsonName == property.Name)
                ?? throw new FormatException($"{Where(at)}: {type.FullName} has no field '{property.Name}'{Engine.Text.DidYouMean.Hint(property.Name, type.Fields.InDeclarationOrder().Select(f => f.JsonName))}; fields: {string.Join(", ", type.Fields.InDeclarationOrder().Select(f => f.JsonName))}");
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.IsMap)
            {
                WriteMap(output, field, property.Value, at);
            }
            else if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{Where(at)}: a repeated field is a JSON array");
                }

                WriteRepeated(output, field, property.Value, at);
            }
            else
            {
                WriteField(output, field, property.Value, at);
            }
        }
    }

    private static void WriteRepeated(CodedOutputStream output, FieldDescriptor field, JsonElement array, string path)
    {
        JsonElement[] items = [.. array.EnumerateArray()];
        if (!Packable(field.FieldType))
        {
            for (int i = 0; i < items.Length; i++)
            {
                WriteField(output, field, items[i], $"{path}[{i}]");
            }

            return;
        }

        using var packed = new MemoryStream();
        var inner = new CodedOutputStream(packed);
        for (int i = 0; i < items.Length; i++)
        {
            WriteValue(inner, field, items[i], $"{path}[{i}]");
        }

        inner.Flush();
        output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(packed.ToArray()));
    }

    private static void WriteMap(CodedOutputStream output, FieldDescriptor field, JsonElement map, string path)
    {
        if (map.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{Where(path)}: a map is a JSON object");
        }

        FieldDescriptor key = field.MessageType.FindFieldByNumber(1);
        FieldDescriptor value = field.MessageType.FindFieldByNumber(2);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            using var buffer = new MemoryStream();
            var inner = new CodedOutputStream(buffer);
            using (JsonDocument keyJson = JsonDocument.Parse(key.FieldType is FieldType.String ? JsonSerializer.Serialize(entry.Name) : entry.Name.ToLowerInvariant() is "true" or "false" ? entry.Name.ToLowerInvariant() : entry.Name))
            {
                WriteField(inner, key, keyJson.RootElement, $"{path}.{entry.Name}");
            }

            WriteField(inner, value, entry.Value, $"{path}.{entry.Name}");
            inner.Flush();
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(buffer.ToArray()));
        }
    }

    private static void WriteField(CodedOutputStream output, FieldDescriptor field, JsonElement value, string path)
    {
        if (field.FieldType is FieldType.Message or FieldType.Group)
        {
            output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(Encode(field.MessageType, value, path)));
            return;
        }

        output.WriteTag(field.FieldNumber, WireType(field.FieldType));
        WriteValue(output, field, value, path);
    }

    private static void WriteValue(CodedOutputStream output, FieldDescriptor field, JsonElement value, string path)
    {
        try
        {
            switch (field.FieldType)
            {
                case FieldType.Double: output.WriteDouble(Number(value)); break;
                case FieldType.Float: output.WriteFloat((float)Number(value)); break;
                case FieldType.Int64: output.WriteInt64(Integer<long>(value)); break;
                case FieldType.UInt64: output.WriteUInt64(Integer<ulong>(value)); break;
                case FieldType.Int32: output.WriteInt32(Integer<int>(value)); break;
                case FieldType.Fixed64: output.WriteFixed64(Integer<ulong>(value)); break;
                case FieldType.Fixed32: output.WriteFixed32(Integer<uint>(value)); break;
                case FieldType.Bool: output.WriteBool(value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw new FormatException("true or false")); break;
                case FieldType.String: output.WriteString(value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException("a string")); break;
                case FieldType.Bytes: output.WriteBytes(ByteString.CopyFrom(value.ValueKind == JsonValueKind.String ? Convert.FromBase64String(value.GetString()!) : throw new FormatException("base64 text"))); break;
                case FieldType.UInt32: output.WriteUInt32(Integer<uint>(value)); break;
                case FieldType.SFixed32: output.WriteSFixed32(Integer<int>(value)); break;
                case FieldType.SFixed64: output.WriteSFixed64(Integer<long>(value)); break;
                case FieldType.SInt32: output.WriteSInt32(Integer<int>(value)); break;
                case FieldType.SInt64: output.WriteSInt64(Integer<long>(value)); break;
                case FieldType.Enum: output.WriteEnum(EnumNumber(field.EnumType, value)); break;
                default: throw new FormatException($"a {field.FieldType} field is not supported");
            }
        }
        catch (FormatException e) when (!e.Message.StartsWith(Where(path), StringComparison.Ordinal))
        {
            throw new FormatException($"{Where(path)}: {field.Name} ({Describe(field)}) takes {e.Message}, not {value.GetRawText()}", e);
        }
    }

    /// <summary>A message read off the wire: each field's values by number, in the order they came (scalars boxed, messages nested).</summary>
    private sealed class Decoded : Dictionary<int, List<object>>
    {
    }

    private static Decoded Read(MessageDescriptor type, CodedInputStream input)
    {
        var fields = new Decoded();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            FieldDescriptor? field = type.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
            if (field is null || field.FieldType == FieldType.Group)
            {
                input.SkipLastField();
                continue;
            }

            if (field.IsRepeated && Packable(field.FieldType) && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                while (!packed.IsAtEnd)
                {
                    Add(fields, field.FieldNumber, ReadScalar(field, packed));
                }

                continue;
            }

            object value = field.FieldType == FieldType.Message ? Read(field.MessageType, new CodedInputStream(input.ReadBytes().ToByteArray())) : ReadScalar(field, input);
            if (field.IsRepeated)
            {
                Add(fields, field.FieldNumber, value);
            }
            else
            {
                fields[field.FieldNumber] = [value];
            }
        }

        return fields;
    }

    private static void WriteJson(Utf8JsonWriter w, MessageDescriptor type, Decoded fields)
    {
        w.WriteStartObject();
        foreach (FieldDescriptor field in type.Fields.InDeclarationOrder().Where(f => f.FieldType != FieldType.Group))
        {
            List<object>? values = fields.GetValueOrDefault(field.FieldNumber);
            if (field.IsMap)
            {
                FieldDescriptor key = field.MessageType.FindFieldByNumber(1);
                FieldDescriptor value = field.MessageType.FindFieldByNumber(2);
                w.WriteStartObject(field.JsonName);
                foreach (Decoded entry in (values ?? []).Cast<Decoded>())
                {
                    w.WritePropertyName(entry.TryGetValue(1, out List<object>? k) ? KeyText(k[^1]) : Default(key));
                    if (entry.TryGetValue(2, out List<object>? v))
                    {
                        WriteValue(w, value, v[^1]);
                    }
                    else
                    {
                        WriteDefault(w, value);
                    }
                }

                w.WriteEndObject();
            }
            else if (field.IsRepeated)
            {
                w.WriteStartArray(field.JsonName);
                foreach (object item in values ?? [])
                {
                    WriteValue(w, field, item);
                }

                w.WriteEndArray();
            }
            else if (values is not null)
            {
                w.WritePropertyName(field.JsonName);
                WriteValue(w, field, values[^1]);
            }
            else if (field.FieldType != FieldType.Message && field.RealContainingOneof is null)
            {
                w.WritePropertyName(field.JsonName);
                WriteDefault(w, field);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, FieldDescriptor field, object value)
    {
        switch (value)
        {
            case Decoded nested: WriteJson(w, field.MessageType, nested); break;
            case string text: w.WriteStringValue(text); break;
            case bool flag: w.WriteBooleanValue(flag); break;
            case double d: w.WriteNumberValue(d); break;
            case float f: w.WriteNumberValue(f); break;
            case long l: w.WriteNumberValue(l); break;
            case ulong u: w.WriteNumberValue(u); break;
            case int i: w.WriteNumberValue(i); break;
            case uint u: w.WriteNumberValue(u); break;
            default: w.WriteNullValue(); break;
        }
    }

    /// <summary>Reads one scalar: a number, bool or string (bytes as base64, an enum by name when it has one).</summary>
    private static object ReadScalar(FieldDescriptor field, CodedInputStream input) => field.FieldType switch
    {
        FieldType.Double => input.ReadDouble(),
        FieldType.Float => input.ReadFloat(),
        FieldType.Int64 => input.ReadInt64(),
        FieldType.UInt64 => input.ReadUInt64(),
        FieldType.Int32 => input.ReadInt32(),
        FieldType.Fixed64 => input.ReadFixed64(),
        FieldType.Fixed32 => input.ReadFixed32(),
        FieldType.Bool => input.ReadBool(),
        FieldType.String => input.ReadString(),
        FieldType.Bytes => input.ReadBytes().ToBase64(),
        FieldType.UInt32 => input.ReadUInt32(),
        FieldType.SFixed32 => input.ReadSFixed32(),
        FieldType.SFixed64 => input.ReadSFixed64(),
        FieldType.SInt32 => input.ReadSInt32(),
        FieldType.SInt64 => input.ReadSInt64(),
        FieldType.Enum => input.ReadEnum() is var n && field.EnumType.FindValueByNumber(n) is { } named ? named.Name : n,
        _ => throw new FormatException($"field {field.Name} has an unsupported type {field.FieldType}"),
    };

    /// <summary>A map key as JSON writes it: the key's text (true/false for bool keys).</summary>
    private static string KeyText(object key) => key is bool flag ? (flag ? "true" : "false") : Convert.ToString(key, CultureInfo.InvariantCulture)!;

    private static string Default(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Bool => "false",
        FieldType.String or FieldType.Bytes => string.Empty,
        _ => "0",
    };

    private static void WriteDefault(Utf8JsonWriter w, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Bool: w.WriteBooleanValue(false); break;
            case FieldType.String or FieldType.Bytes: w.WriteStringValue(string.Empty); break;
            case FieldType.Enum: w.WriteStringValue(field.EnumType.FindValueByNumber(0)?.Name ?? "0"); break;
            case FieldType.Message or FieldType.Group: w.WriteNullValue(); break;
            default: w.WriteNumberValue(0); break;
        }
    }

    private static void Add(Decoded fields, int number, object value)
    {
        if (!fields.TryGetValue(number, out List<object>? list))
        {
            fields[number] = list = [];
        }

        list.Add(value);
    }

    private static bool Packable(FieldType type) => type is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static WireFormat.WireType WireType(FieldType type) => type switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        _ => WireFormat.WireType.Varint,
    };

    private static double Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => throw new FormatException("a number"),
    };

    /// <summary>A whole number, from a JSON number or (as proto3 JSON writes 64-bit ones) a string.</summary>
    private static T Integer<T>(JsonElement value)
        where T : IBinaryInteger<T>
    {
        string text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!,
            _ => throw new FormatException("a whole number"),
        };
        return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T? n) ? n : throw new FormatException($"a whole number that fits a {typeof(T).Name}");
    }

    private static int EnumNumber(EnumDescriptor type, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out int n) => n,
        JsonValueKind.String => type.FindValueByName(value.GetString()!)?.Number
            ?? throw new FormatException($"one of {string.Join(", ", type.Values.Select(v => v.Name))}"),
        _ => throw new FormatException($"one of {string.Join(", ", type.Values.Select(v => v.Name))}"),
    };

    private static string Describe(FieldDescriptor field) =>
        field.FieldType == FieldType.Enum ? $"enum {field.EnumType.FullName}" : field.FieldType.ToString().ToLowerInvariant();

    private static string Where(string path) => path.Length == 0 ? "the message" : path.TrimStart('.');
}
