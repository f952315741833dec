using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Probe.Scenarios.Steps.Grpc;

namespace Probe.Scenarios.Tests.Steps.Grpc;

/// <summary>
/// The descriptor-driven codec against Google.Protobuf's own generated code as the oracle: what
/// ProtoJson encodes, the generated parser must read as the message Google's JSON parser makes of the
/// same text; what generated code writes, ProtoJson must decode to the same figures.
/// </summary>
public sealed class ProtoJsonTests
{
    // descriptor.proto's own messages: nested messages, repeated messages and strings, enums, bools,
    // packed repeated integers (SourceCodeInfo.Location.path), 64-bit and floating-point options.
    private const string File = """
        {
          "name": "shop/v1/catalog.proto",
          "package": "shop.v1",
          "dependency": ["google/protobuf/timestamp.proto", "common.proto"],
          "publicDependency": [1],
          "messageType": [
            { "name": "Item",
              "field": [
                { "name": "id", "number": 1, "label": "LABEL_OPTIONAL", "type": "TYPE_INT64", "jsonName": "id" },
                { "name": "tags", "number": 2, "label": "LABEL_REPEATED", "type": "TYPE_STRING" },
                { "name": "price", "number": 3, "type": "TYPE_DOUBLE", "defaultValue": "2.5" }
              ],
              "nestedType": [ { "name": "Inner", "reservedName": ["a", "b"] } ],
              "options": { "deprecated": true, "mapEntry": false }
            }
          ],
          "enumType": [ { "name": "Kind", "value": [ { "name": "KIND_A", "number": 0 }, { "name": "KIND_B", "number": -3 } ] } ],
          "options": { "javaMultipleFiles": true, "optimizeFor": "CODE_SIZE", "goPackage": "example.com/shop" },
          "sourceCodeInfo": { "location": [ { "path": [4, 0, 2, 1], "span": [10, 2, 40] }, { "path": [5], "leadingComments": " kinds\n" } ] },
          "syntax": "proto3"
        }
        """;

    [Fact]
    public void Encode_AMessageWithEveryKindOfField_ParsesWithGeneratedCodeAsGooglesJsonParserReadsIt()
    {
        byte[] ours = ProtoJson.Encode(FileDescriptorProto.Descriptor, JsonDocument.Parse(File).RootElement);

        FileDescriptorProto expected = JsonParser.Default.Parse<FileDescriptorProto>(File);
        Assert.Equal(expected, FileDescriptorProto.Parser.ParseFrom(ours));
    }

    [Fact]
    public void Encode_FieldsByProtoName_AndNumbersAsStrings_AsProto3JsonAllows()
    {
        const string json = """{ "seconds": "1700000000", "nanos": 5 }""";

        Timestamp parsed = Timestamp.Parser.ParseFrom(ProtoJson.Encode(Timestamp.Descriptor, JsonDocument.Parse(json).RootElement));

        Assert.Equal(new Timestamp { Seconds = 1_700_000_000, Nanos = 5 }, parsed);
        FieldDescriptorProto byProtoName = FieldDescriptorProto.Parser.ParseFrom(ProtoJson.Encode(FieldDescriptorProto.Descriptor, JsonDocument.Parse("""{ "json_name": "x", "type_name": ".a.B", "oneof_index": 2 }""").RootElement));
        Assert.Equal(new FieldDescriptorProto { JsonName = "x", TypeName = ".a.B", OneofIndex = 2 }, byProtoName);
    }

    [Fact]
    public void Encode_MapsAndWrappers_ParseWithGeneratedCode()
    {
        const string json = """{ "fields": { "name": { "stringValue": "probe" }, "up": { "boolValue": true }, "n": { "numberValue": 3.25 }, "list": { "listValue": { "values": [ { "nullValue": "NULL_VALUE" } ] } } } }""";

        Struct parsed = Struct.Parser.ParseFrom(ProtoJson.Encode(Struct.Descriptor, JsonDocument.Parse(json).RootElement));

        Assert.Equal("probe", parsed.Fields["name"].StringValue);
        Assert.True(parsed.Fields["up"].BoolValue);
        Assert.Equal(3.25, parsed.Fields["n"].NumberValue);
        Assert.Equal(Value.KindOneofCase.NullValue, parsed.Fields["list"].ListValue.Values[0].KindCase);
    }

    [Fact]
    public void Decode_WhatGeneratedCodeWrote_GivesEveryFieldByItsJsonName()
    {
        FileDescriptorProto message = JsonParser.Default.Parse<FileDescriptorProto>(File);

        using JsonDocument decoded = JsonDocument.Parse(ProtoJson.Decode(FileDescriptorProto.Descriptor, message.ToByteArray()));

        JsonElement root = decoded.RootElement;
        Assert.Equal("shop.v1", root.GetProperty("package").GetString());
        Assert.Equal(["google/protobuf/timestamp.proto", "common.proto"], root.GetProperty("dependency").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal([1], root.GetProperty("publicDependency").EnumerateArray().Select(d => d.GetInt32()));
        JsonElement item = root.GetProperty("messageType")[0];
        Assert.Equal("TYPE_INT64", item.GetProperty("field")[0].GetProperty("type").GetString());
        Assert.Equal("LABEL_REPEATED", item.GetProperty("field")[1].GetProperty("label").GetString());
        Assert.Equal(["a", "b"], item.GetProperty("nestedType")[0].GetProperty("reservedName").EnumerateArray().Select(n => n.GetString()));
        Assert.True(item.GetProperty("options").GetProperty("deprecated").GetBoolean());
        Assert.Equal(-3, root.GetProperty("enumType")[0].GetProperty("value")[1].GetProperty("number").GetInt32());
        Assert.Equal("CODE_SIZE", root.GetProperty("options").GetProperty("optimizeFor").GetString());
        Assert.Equal([4, 0, 2, 1], root.GetProperty("sourceCodeInfo").GetProperty("location")[0].GetProperty("path").EnumerateArray().Select(p => p.GetInt32()));

        // Singular scalars the wire left out are there with their defaults, so a check can compare them.
        Assert.Equal("EDITION_UNKNOWN", root.GetProperty("edition").GetString());
        Assert.Equal(string.Empty, item.GetProperty("field")[1].GetProperty("jsonName").GetString());
        Assert.False(root.GetProperty("options").GetProperty("ccGenericServices").GetBoolean());
    }

    [Fact]
    public void Decode_MapsAnd64BitNumbers_AsObjectsAndNumbers()
    {
        var value = new Struct();
        value.Fields["count"] = Value.ForNumber(7);
        value.Fields["name"] = Value.ForString("x");

        using JsonDocument decoded = JsonDocument.Parse(ProtoJson.Decode(Struct.Descriptor, value.ToByteArray()));
        using JsonDocument time = JsonDocument.Parse(ProtoJson.Decode(Timestamp.Descriptor, new Timestamp { Seconds = 1_700_000_000 }.ToByteArray()));

        Assert.Equal(7, decoded.RootElement.GetProperty("fields").GetProperty("count").GetProperty("numberValue").GetDouble());
        Assert.Equal("x", decoded.RootElement.GetProperty("fields").GetProperty("name").GetProperty("stringValue").GetString());
        Assert.Equal(1_700_000_000, time.RootElement.GetProperty("seconds").GetInt64());
        Assert.Equal(0, time.RootElement.GetProperty("nanos").GetInt32());
    }

    [Theory]
    [InlineData("""{ "nmae": "x" }""", "nmae: google.protobuf.FileDescriptorProto has no field 'nmae' (did you mean 'name'?)")]
    [InlineData("""{ "messageType": [ { "field": [ { "number": "ten" } ] } ] }""", "messageType[0].field[0].number: number (int32) takes a whole number that fits a Int32, not \"ten\"")]
    [InlineData("""{ "options": { "optimizeFor": "FAST" } }""", "options.optimizeFor: optimize_for (enum google.protobuf.FileOptions.OptimizeMode) takes one of SPEED, CODE_SIZE, LITE_RUNTIME, not \"FAST\"")]
    [InlineData("""{ "dependency": "a.proto" }""", "dependency: a repeated field is a JSON array")]
    public void Encode_AValueThatDoesNotFit_SaysWhereAndWhatFits(string json, string expected)
    {
        FormatException e = Assert.Throws<FormatException>(() => ProtoJson.Encode(FileDescriptorProto.Descriptor, JsonDocument.Parse(json).RootElement));

        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }
}
