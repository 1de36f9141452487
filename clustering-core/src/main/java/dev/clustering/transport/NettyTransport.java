package dev.clustering.transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import dev.clustering.membership.LocalNode;
import dev.clustering.membership.NodeAddress;

/**
 * The TCP side of a node: one listening socket and the connections it accepts or dials, all on one
 * event-loop thread so the node's state needs no locks. Nothing on that thread looks up a host name:
 * a peer's address arrives as text and is never resolved before it authenticates, and a discovered
 * host name is resolved on a thread of its own before it is dialled.
 */
public final class NettyTransport {

	/** Most accepted connections that may be authenticating at once. */
	static final int MAX_PENDING_HANDSHAKES = 512;

	/** Most of those from one remote address. */
	static final int MAX_PENDING_HANDSHAKES_PER_ADDRESS = 64;

	private final TransportSettings settings;

	private final CookieAuthenticator authenticator;

	private final EventLoopGroup group;

	private final ThreadPoolExecutor resolver;

	private final TrafficCounter traffic = new TrafficCounter();

	private final TransportCounters counters = new TransportCounters();

	private final WarningLimiter warnings = new WarningLimiter();

	private final HandshakeGuard guard = new HandshakeGuard(MAX_PENDING_HANDSHAKES, MAX_PENDING_HANDSHAKES_PER_ADDRESS);

	// who this node is and who hears about connections, read together by the event loop once set
	private volatile Attachment attachment;

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
		this.resolver = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
				new DefaultThreadFactory(threadName + "-resolver", true));
	}

	/**
	 * The single thread on which all connections and the node's timers run.
	 * @return the event loop
	 */
	public EventLoop eventLoop() {
		return this.group.next();
	}

	/**
	 * Listens. Connections accepted before {@link #attach} are closed at once.
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
					Attachment current = NettyTransport.this.attachment;
					if (current == null) {
						channel.close(); // still starting: the node cannot judge anyone yet
						return;
					}
					pipeline(channel, current, null);
				}
			});
		this.server = bootstrap.bind(host, port).sync().channel();
		return ((InetSocketAddress) this.server.localAddress()).getPort();
	}

	/**
	 * The address the listening socket is bound to.
	 * @return the bound address, or {@code null} before {@link #bind}
	 */
	public InetAddress boundAddress() {
		return (this.server != null) ? ((InetSocketAddress) this.server.localAddress()).getAddress() : null;
	}

	/**
	 * Sets who this node is and who hears about connections; called once the port is known.
	 * @param self this node
	 * @param listener the node
	 */
	public void attach(LocalNode self, ConnectionListener listener) {
		this.attachment = new Attachment(self, listener);
	}

	/**
	 * Dials a peer; the handshake starts once TCP connects. A host name is resolved on the
	 * transport's resolver thread first, never on the event loop.
	 * @param address the peer's address
	 * @return completes when TCP connected, or fails with why not
	 */
	public Future<Void> connect(NodeAddress address) {
		Promise<Void> result = eventLoop().newPromise();
		if (address.isIpLiteral()) {
			connect(address, new InetSocketAddress(literal(address.host()), address.port()), result);
			return result;
		}
		try {
			this.resolver.execute(() -> {
				try {
					InetAddress resolved = InetAddress.getByName(address.host());
					eventLoop().execute(() -> connect(address, new InetSocketAddress(resolved, address.port()), result));
				}
				catch (UnknownHostException ex) {
					result.tryFailure(new UnknownHostException("cannot resolve " + address.host()));
				}
				catch (RejectedExecutionException ex) {
					result.tryFailure(ex);
				}
			});
		}
		catch (RejectedExecutionException ex) {
			result.tryFailure(new IllegalStateException("too many host names waiting to be resolved"));
		}
		return result;
	}

	private void connect(NodeAddress address, InetSocketAddress resolved, Promise<Void> result) {
		Attachment current = this.attachment;
		if (current == null) {
			result.tryFailure(new IllegalStateException("node is not started"));
			return;
		}
		Bootstrap bootstrap = new Bootstrap().group(this.group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) this.settings.connectTimeout().toMillis())
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					pipeline(channel, current, address);
				}
			});
		ChannelFuture connecting = bootstrap.connect(resolved);
		connecting.addListener((future) -> {
			if (future.isSuccess()) {
				result.trySuccess(null);
			}
			else {
				result.tryFailure(future.cause());
			}
		});
	}

	// an IP literal to an address, without any look-up
	private static InetAddress literal(String host) {
		byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("not an IP literal: " + host, ex);
		}
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
		this.resolver.shutdownNow();
		this.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/**
	 * Byte counts of all connections.
	 * @return the counter
	 */
	public TrafficCounter traffic() {
		return this.traffic;
	}

	/**
	 * Counts of invalid frames, unknown messages, handler errors and refused handshakes.
	 * @return the counters
	 */
	public TransportCounters counters() {
		return this.counters;
	}

	private void pipeline(SocketChannel channel, Attachment current, NodeAddress dialled) {
		PeerConnection connection = new PeerConnection(current.self(), this.authenticator, current.listener(), dialled,
				this.settings.handshakeTimeout().toMillis(), this.settings.maxFrameSize(), this.warnings, this.counters,
				this.guard);
		ChannelPipeline pipeline = channel.pipeline();
		pipeline.addLast("traffic", this.traffic);
		if (this.settings.isSsl()) {
			pipeline.addLast("tls", (dialled != null)
					? this.settings.clientSsl().newHandler(channel.alloc(), dialled.host(), dialled.port())
					: this.settings.serverSsl().newHandler(channel.alloc()));
		}
		pipeline.addLast("frames", new FrameDecoder(connection::frameLimit));
		pipeline.addLast("length", new LengthFieldPrepender(4));
		pipeline.addLast("encoder", MessageEncoder.INSTANCE);
		pipeline.addLast("connection", connection);
	}

	private record Attachment(LocalNode self, ConnectionListener listener) {
	}

}
