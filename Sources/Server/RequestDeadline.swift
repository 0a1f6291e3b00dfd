// A deadline for reading each request: from the moment the server waits for a request (a new
// connection, or the end of the previous response) its head and body must have arrived within
// `seconds`, or the connection is closed. The idle timeout closes silent clients; this closes
// slowloris clients that trickle a byte at a time. No deadline runs while a question is answered.

import NIOCore
import NIOHTTPTypes

final class RequestDeadline: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  let seconds: Double
  private var timer: Scheduled<Void>?

  init(seconds: Double) { self.seconds = seconds }

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { arm(context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    arm(context)
    context.fireChannelActive()
  }

  func handlerRemoved(context: ChannelHandlerContext) { disarm() }

  func channelInactive(context: ChannelHandlerContext) {
    disarm()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // The request is complete: its answer may take as long as the question takes.
    if case .end = unwrapInboundIn(data) { disarm() }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    // The response is written: the next request must arrive in time.
    if case .end = unwrapOutboundIn(data) { arm(context) }
    context.write(data, promise: promise)
  }

  private func arm(_ context: ChannelHandlerContext) {
    disarm()
    let channel = context.channel
    timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
      channel.close(promise: nil)
    }
  }

  private func disarm() {
    timer?.cancel()
    timer = nil
  }
}
