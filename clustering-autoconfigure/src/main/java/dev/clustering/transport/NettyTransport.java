package dev.clustering.transport;

import java.net.InetSocketAddress;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.concurrent.DefaultThreadFactory;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * The TCP side of a node: one listening socket and the connections it accepts or dials, all on one
 * event-loop thread so the node's state needs no locks.
 */
public final class NettyTransport {

	private final TransportSettings settings;

	private final CookieAuthenticator authenticator;

	private final EventLoopGroup group;

	private final TrafficCounter traffic = new TrafficCounter();

	private final WarningLimiter warnings = new WarningLimiter();

	private volatile LocalNode self;

	private ConnectionListener listener;

	private Channel server;

	/**
	 * Creates the transport; nothing is bound until {@link #bind}.
	 * @param threadName name of the event-loop thread
	 * @param settings the settings
	 * @param authenticator checks the cookie
	 */
	public NettyTransport(String threadName, TransportSettings settings, CookieAuthenticator authenticator) {
		this.settings = settings;
		this.authenticator = authenticator;
		this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true),
				NioIoHandler.newFactory());
	}

	/**
	 * The single thread on which all connections and the node's timers run.
	 * @return the event loop
	 */
	public EventLoop eventLoop() {
		return this.group.next();
	}

	/**
	 * Listens.
	 * @param host the address to listen on
	 * @param port the port, 0 for any free one
	 * @return the bound port
	 * @throws InterruptedException if interrupted while binding
	 */
	public int bind(String host, int port) throws InterruptedException {
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					if (NettyTransport.this.listener == null) {
						channel.close(); // still starting: the node cannot judge anyone yet
						return;
					}
					pipeline(channel, null);
				}
			});
		this.server = bootstrap.bind(host, port).sync().channel();
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/**
	 * Sets who this node is and who hears about connections; called once the port is known.
	 * @param self this node
	 * @param listener the node
	 */
	public void attach(LocalNode self, ConnectionListener listener) {
		this.self = self;
		this.listener = listener;
	}

	/**
	 * Dials a peer; the handshake starts once TCP connects.
	 * @param address the peer's address
	 * @return the connect future
	 */
	public ChannelFuture connect(NodeAddress address) {
		Bootstrap bootstrap = new Bootstrap().group(this.group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.settings.connectTimeout().toMillis())
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					pipeline(channel, address);
				}
			});
		return bootstrap.connect(new InetSocketAddress(address.host(), address.port()));
	}

	/**
	 * Stops accepting connections (existing ones stay open).
	 */
	public void stopListening() {
		if (this.server != null) {
			this.server.close().syncUninterruptibly();
		}
	}

	/**
	 * Closes everything and stops the event loop.
	 */
	public void shutdown() {
		stopListening();
		this.group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
	}

	/**
	 * Byte counts of all connections.
	 * @return the counter
	 */
	public TrafficCounter traffic() {
		return this.traffic;
	}

	private void pipeline(SocketChannel channel, NodeAddress dialled) {
		ChannelPipeline pipeline = channel.pipeline();
		pipeline.addLast("traffic", this.traffic);
		if (this.settings.isSsl()) {
			pipeline.addLast("tls", (dialled != null)
					? this.settings.clientSsl().newHandler(channel.alloc(), dialled.host(), dialled.port())
					: this.settings.serverSsl().newHandler(channel.alloc()));
		}
		pipeline.addLast("frames", new LengthFieldBasedFrameDecoder(this.settings.maxFrameSize(), 0, 4, 0, 4));
		pipeline.addLast("length", new LengthFieldPrepender(4));
		pipeline.addLast("encoder", MessageEncoder.INSTANCE);
		pipeline.addLast("connection", new PeerConnection(this.self, this.authenticator, this.listener, dialled,
				this.settings.handshakeTimeout().toMillis(), this.warnings));
	}

}
