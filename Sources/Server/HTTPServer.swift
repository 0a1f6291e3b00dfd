// The HTTP endpoint on Hummingbird 2: routes (POST /v1/ask, GET /v1/schema, GET /v1/health),
// bearer-token authentication, the body-size limit (413 before reading a declared oversize
// body), idle timeouts and a read deadline per request for slow clients, and every error as a JSON object with a clear message.

import Engine
import Foundation
import Hummingbird
import Logging
import NIOCore
import QueryModel

public enum WenshuHTTP {
  /// The Hummingbird application serving `service` on host:port (port 0: any free port, reported
  /// through `onRunning`).
  public static func application(_ service: AskService, host: String, port: Int, logLevel: Logger.Level? = nil,
                                 onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router()
    router.middlewares.add(JSONErrors())
    let maxBody = service.config.maxBodyBytes

    router.get("/v1/health") { _, _ in response(service.health()) }

    router.get("/v1/schema") { request, _ in
      switch service.authenticate(request.headers[.authorization]) {
      case .failure(let e): return response(e.reply)
      case .success(let policy): return response(service.schema(policy: policy))
      }
    }

    router.post("/v1/ask") { request, _ in
      let policy: TokenPolicy
      switch service.authenticate(request.headers[.authorization]) {
      case .failure(let e): return response(e.reply)
      case .success(let p): policy = p
      }
      if let len = request.headers[.contentLength].flatMap({ Int($0) }), len > maxBody {
        return response(.error(413, "the request body is \(len) bytes; at most \(maxBody) are accepted"))
      }
      let buffer: ByteBuffer
      do {
        buffer = try await request.body.collect(upTo: maxBody)
      } catch is NIOTooManyBytesError {
        return response(.error(413, "the request body is larger than \(maxBody) bytes"))
      }
      let bytes = buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? []
      return response(await service.ask(policy: policy, body: bytes))
    }

    var logger = Logger(label: "wenshu-http")
    logger.logLevel = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    let idle = TimeAmount.milliseconds(Int64(service.config.idleTimeoutSeconds * 1000))
    let readDeadline = service.config.requestTimeoutSeconds
    return Application(
      router: router,
      server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadline(seconds: readDeadline)], idleTimeout: idle)),
      configuration: .init(address: .hostname(host, port: port), serverName: "wenshu", backlog: 1024),
      onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
      logger: logger)
  }

  static func response(_ r: Reply) -> Response {
    var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
    for (k, v) in r.headers {
      switch k {
      case "Retry-After": headers[.retryAfter] = v
      case "WWW-Authenticate": headers[.wwwAuthenticate] = v
      default: break
      }
    }
    return Response(status: .init(code: r.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: r.body + "\n")))
  }
}

/// Every error a route or the framework throws (404, 405, 413, …) as `{"error": {"message"}}`.
struct JSONErrors<Context: RequestContext>: RouterMiddleware {
  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
    do {
      return try await next(request, context)
    } catch let e as HTTPResponseError {
      let code = Int(e.status.code)
      let message: String
      switch code {
      case 404: message = "no such endpoint \(request.method) \(request.uri.path.prefix(200)); use POST /v1/ask, GET /v1/schema or GET /v1/health"
      case 405: message = "method \(request.method) not allowed here"
      case 413: message = "the request body is too large"
      default: message = e.status.reasonPhrase
      }
      return WenshuHTTP.response(.error(code, message))
    } catch {
      return WenshuHTTP.response(.error(500, "internal error: \(String(describing: error).prefix(200))"))
    }
  }
}
