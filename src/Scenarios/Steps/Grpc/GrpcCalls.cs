using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>Reads a grpc step's unary call: the method from its descriptor set, and the request encoded once, at load.</summary>
internal static class GrpcCalls
{
    private const string Build = "protoc --include_imports --descriptor_set_out=api.protoset api.proto";

    /// <summary>The call <paramref name="grpc"/> names, or null for a health check (or when it is wrong: the errors are on the node).</summary>
    public static GrpcCall? Read(SuiteNode grpc, string folder)
    {
        string? name = grpc.String("method");
        if (name is null)
        {
            foreach (string field in (string[])["descriptor_set", "request"])
            {
                if (grpc.Has(field))
                {
                    grpc.Child(field).Error($"'{field}' belongs to a call: add \"method\": \"package.Service/Method\", or leave it out for the health check");
                }
            }

            return null;
        }

        if (grpc.Has("service"))
        {
            grpc.Child("service").Error("'service' names the service whose health to check; a call names its method instead: leave one of them out");
        }

        string? file = grpc.String("descriptor_set", required: true, example: $"\"api.protoset\", made with {Build}");
        if (file is null || Load(grpc.Child("descriptor_set"), Path.Combine(folder, file)) is not { } files)
        {
            return null;
        }

        MethodDescriptor[] methods = [.. files.SelectMany(f => f.Services).SelectMany(s => s.Methods)];
        int split = Math.Max(name.LastIndexOf('/'), 0);
        MethodDescriptor? method = methods.FirstOrDefault(m => $"{m.Service.FullName}/{m.Name}" == name.TrimStart('/') || (split == 0 && $"{m.Service.FullName}.{m.Name}" == name));
        SuiteNode methodNode = grpc.Child("method");
        if (method is null)
        {
            string[] known = [.. methods.Select(m => $"{m.Service.FullName}/{m.Name}")];
            methodNode.Error(known.Length == 0
                ? $"{file} has no services; give the descriptor set of the .proto that defines the method ({Build})"
                : $"no method '{name}' in {file}{SuiteNode.DidYouMean(name, known)}; methods: {string.Join(", ", known.Take(20))}");
            return null;
        }

        if (method.IsClientStreaming || method.IsServerStreaming)
        {
            methodNode.Error($"{name} is a streaming method; the grpc step makes unary calls (one request, one answer)");
            return null;
        }

        byte[] request;
        try
        {
            using JsonDocument empty = JsonDocument.Parse("{}");
            request = ProtoJson.Encode(method.InputType, grpc.Has("request") ? grpc.Child("request").Element : empty.RootElement, "request");
        }
        catch (FormatException e)
        {
            grpc.Child("request").Error($"{e.Message} (the request is a {method.InputType.FullName})");
            return null;
        }

        return new GrpcCall(method.Service.FullName, method.Name, request, method.OutputType);
    }

    private static IReadOnlyList<FileDescriptor>? Load(SuiteNode node, string path)
    {
        try
        {
            FileDescriptorSet set = FileDescriptorSet.Parser.ParseFrom(File.ReadAllBytes(path));
            return FileDescriptor.BuildFromByteStrings(set.File.Select(f => f.ToByteString()));
        }
        catch (InvalidProtocolBufferException)
        {
            // Before IOException, which it is.
            node.Error($"{path} is not a protobuf descriptor set; make one with {Build}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            node.Error($"cannot read the descriptor set {path}: {e.Message}");
        }
        catch (Exception e) when (e is DescriptorValidationException or ArgumentException or InvalidOperationException)
        {
            node.Error($"{path} cannot be used: {e.Message}; a set made with --include_imports holds every file the method's messages need");
        }

        return null;
    }
}
