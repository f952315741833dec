using System.Net.Security;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Http;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>
/// Asks a gRPC server's health service, over one channel kept for the run (HTTP/2 connections are
/// multiplexed and kept alive, as real gRPC clients do). SERVING passes; NOT_SERVING and
/// SERVICE_UNKNOWN fail with reason status; an unreachable server with connect (or tls, saying what
/// is wrong with the certificate); the deadline with timeout; any other gRPC status with protocol.
/// </summary>
internal sealed class GrpcStep : IDisposable
{
    private readonly GrpcStepSpec _spec;
    private readonly TimeProvider _time;
    private readonly StepChecks _checks;
    private readonly GrpcChannel _channel;
    private readonly Health.HealthClient _client;
    private readonly HealthCheckRequest _request;
    private readonly Method<byte[], byte[]>? _method;
    private readonly CallInvoker _invoker;
    private string? _certificateProblem;

    public GrpcStep(GrpcStepSpec spec, TargetSpec target, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _time = time;
        _checks = checks;
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (target.Url.Scheme == Uri.UriSchemeHttps)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                _certificateProblem = HttpFailures.CertificateProblem(errors, certificate, chain, target.Url.IdnHost);
                return target.InsecureTls || errors == SslPolicyErrors.None;
            };
        }

        _channel = GrpcChannel.ForAddress(target.Url, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        _client = new Health.HealthClient(_channel);
        _request = new HealthCheckRequest { Service = spec.Service };
        _invoker = _channel.CreateCallInvoker();
        if (spec.Call is { } call)
        {
            var bytes = Marshallers.Create(static (byte[] b) => b, static b => b);
            _method = new Method<byte[], byte[]>(MethodType.Unary, call.Service, call.Method, bytes, bytes);
        }
    }

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        long start = _time.GetTimestamp();
        string what = _spec.Service.Length == 0 ? "the server" : $"service '{_spec.Service}'";
        if (_spec.Call is { } call)
        {
            return await CallAsync(call, start, cancellation).ConfigureAwait(false);
        }

        try
        {
            HealthCheckResponse response = await _client.CheckAsync(_request, deadline: _time.GetUtcNow().UtcDateTime + _spec.Timeout, cancellationToken: cancellation).ConfigureAwait(false);
            long took = _time.ToNanoseconds(_time.GetTimestamp() - start);
            string status = Status(response.Status);
            var input = new CheckInput(0, took, 0, JsonSerializer.Serialize(status));
            if (_checks.FirstFailure(input) is { } failure)
            {
                return StepResult.Fail(FailureReason.Check, failure);
            }

            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving || _spec.Checks.Count > 0
                ? StepResult.Ok()
                : StepResult.Fail(FailureReason.Status, $"{what} is {status}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return StepResult.Fail(FailureReason.Timeout, $"no health answer from {what} within the step's timeout");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && _spec.Service.Length > 0)
        {
            return StepResult.Fail(FailureReason.Status, $"{what} is SERVICE_UNKNOWN: the server does not know it");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return StepResult.Fail(FailureReason.Protocol, "the server has no grpc.health.v1 health service");
        }
        catch (RpcException e)
        {
            return Unreached(e, cancellation) ?? StepResult.Fail(FailureReason.Protocol, $"gRPC status {e.StatusCode}: {e.Status.Detail}");
        }
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>The failure of a call that never reached an answer: the server unavailable (connect, or tls saying what is wrong with the certificate), or the run stopping; null for an answer.</summary>
    private StepResult? Unreached(RpcException e, CancellationToken cancellation) => e.StatusCode switch
    {
        StatusCode.Unavailable => _certificateProblem is { } problem
            ? StepResult.Fail(FailureReason.Tls, problem)
            : StepResult.Fail(FailureReason.Connect, $"the server is unavailable: {e.Status.Detail}"),
        StatusCode.Cancelled when cancellation.IsCancellationRequested => StepResult.Fail(FailureReason.Cancelled, "the run was stopping"),
        StatusCode.Internal when NoHttp2(e.Status.Detail) => StepResult.Fail(FailureReason.Protocol, "the server does not speak HTTP/2 here, and gRPC needs it: is this an HTTP/1.1 port? (" + e.Status.Detail + ")"),
        _ => null,
    };

    /// <summary>Whether the call failed because the server speaks HTTP/1.x only: no h2 in ALPN, GOAWAY HTTP_1_1_REQUIRED, or HTTP/1.1 bytes read as frames.</summary>
    private static bool NoHttp2(string detail) =>
        detail.Contains("unable to establish HTTP/2 connection", StringComparison.Ordinal)
        || detail.Contains("'HTTP_1_1_REQUIRED' (0xd)", StringComparison.Ordinal)
        || detail.Contains("'PROTOCOL_ERROR' (0x1)", StringComparison.Ordinal);

    /// <summary>The unary call: OK passes (its answer as JSON is the checks' body); another status fails with reason status.</summary>
    private async ValueTask<StepResult> CallAsync(GrpcCall call, long start, CancellationToken cancellation)
    {
        try
        {
            var options = new CallOptions(deadline: _time.GetUtcNow().UtcDateTime + _spec.Timeout, cancellationToken: cancellation);
            byte[] answer = await _invoker.AsyncUnaryCall(_method!, null, options, call.Request).ResponseAsync.ConfigureAwait(false);
            long took = _time.ToNanoseconds(_time.GetTimestamp() - start);
            string json;
            try
            {
                json = ProtoJson.Decode(call.Response, answer);
            }
            catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or FormatException)
            {
                return StepResult.Fail(FailureReason.Protocol, $"the answer of {call.FullName} is not a {call.Response.FullName}: {e.Message}");
            }

            return _checks.FirstFailure(new CheckInput(0, took, answer.Length, json)) is { } failure
                ? StepResult.Fail(FailureReason.Check, failure)
                : StepResult.Ok();
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return StepResult.Fail(FailureReason.Timeout, $"no answer from {call.FullName} within the step's timeout");
        }
        catch (RpcException e)
        {
            return Unreached(e, cancellation) ?? StepResult.Fail(FailureReason.Status, $"{call.FullName} answered gRPC status {e.StatusCode}{(e.Status.Detail.Length > 0 ? $": {e.Status.Detail}" : string.Empty)}");
        }
    }

    /// <summary>A serving status as the protocol names it: SERVING, NOT_SERVING, SERVICE_UNKNOWN, UNKNOWN.</summary>
    private static string Status(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };
}
