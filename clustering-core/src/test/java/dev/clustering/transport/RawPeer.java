package dev.clustering.transport;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import dev.clustering.membership.NodeAddress;

/**
 * A peer written by hand on a plain socket, for tests that play a buggy, newer, older or hostile
 * node: it runs the real handshake (with the cookie, if given) and then writes whatever frames the
 * test wants, well-formed or not.
 */
public final class RawPeer implements AutoCloseable {

	private final Socket socket;

	private final DataInputStream in;

	private final DataOutputStream out;

	private final String name;

	private Message.Reject refusal;

	private Message.Welcome welcome;

	private RawPeer(Socket socket, String name) throws IOException {
		this.socket = socket;
		this.name = name;
		this.in = new DataInputStream(socket.getInputStream());
		this.out = new DataOutputStream(socket.getOutputStream());
	}

	/**
	 * Connects from a given local address and runs the handshake.
	 * @param target the node
	 * @param localHost the local address to connect from (for example 127.0.0.2)
	 * @param name the node name to claim
	 * @param cookie the cookie
	 * @param major the protocol major version to speak
	 * @param minor the protocol minor version to speak
	 * @return the peer, established unless {@link #refusal()} says why not
	 * @throws IOException on a socket error
	 */
	public static RawPeer connect(NodeAddress target, String localHost, String name, String cookie, int major,
			int minor) throws IOException {
		Socket socket = new Socket();
		socket.bind(new InetSocketAddress(localHost, 0));
		socket.connect(new InetSocketAddress(target.host(), target.port()), 2000);
		socket.setSoTimeout(5000);
		RawPeer peer = new RawPeer(socket, name);
		peer.handshake(cookie, major, minor, localHost);
		return peer;
	}

	private void handshake(String cookie, int major, int minor, String localHost) throws IOException {
		CookieAuthenticator authenticator = new CookieAuthenticator(cookie.toCharArray());
		byte[] hello;
		if (major == FrameCodec.PROTOCOL_MAJOR) {
			hello = FrameCodec.toBytes(new Message.Hello(major, minor, this.name, new NodeAddress(localHost, 1),
					authenticator.newNonce()));
		}
		else {
			ByteBuf buffer = Unpooled.buffer();
			buffer.writeByte(FrameCodec.HELLO).writeShort(major).writeBytes(new byte[40]);
			hello = new byte[buffer.readableBytes()];
			buffer.readBytes(hello);
		}
		writeFrame(hello);
		byte[] challengeBytes = readFrame();
		Message reply = FrameCodec.decode(Unpooled.wrappedBuffer(challengeBytes));
		if (reply instanceof Message.Reject reject) {
			this.refusal = reject;
			return;
		}
		long incarnation = authenticator.newIncarnation();
		byte[] proof = authenticator.initiatorProof(hello, challengeBytes, incarnation);
		writeFrame(FrameCodec.toBytes(new Message.Response(proof, incarnation)));
		Message answer = FrameCodec.decode(Unpooled.wrappedBuffer(readFrame()));
		if (answer instanceof Message.Reject reject) {
			this.refusal = reject;
			return;
		}
		this.welcome = (Message.Welcome) answer;
		writeFrame(FrameCodec.toBytes(new Message.Confirm(Map.of())));
	}

	/**
	 * Why the node refused this peer, if it did.
	 * @return the refusal, or {@code null} once established
	 */
	public Message.Reject refusal() {
		return this.refusal;
	}

	/**
	 * Whether the handshake completed.
	 * @return whether the node welcomed this peer
	 */
	public boolean established() {
		return this.welcome != null;
	}

	/**
	 * Sends a message.
	 * @param message the message
	 * @throws IOException on a socket error
	 */
	public void send(Message message) throws IOException {
		writeFrame(FrameCodec.toBytes(message));
	}

	/**
	 * Sends a frame body as it is, valid or not.
	 * @param body the frame body
	 * @throws IOException on a socket error
	 */
	public void writeFrame(byte[] body) throws IOException {
		this.out.writeInt(body.length);
		this.out.write(body);
		this.out.flush();
	}

	/**
	 * Reads frames until one of the given type arrives.
	 * @param type the message class
	 * @param <T> the message type
	 * @return the message, or {@code null} if the node closed the connection first
	 * @throws IOException on a socket error or a timeout
	 */
	public <T extends Message> T await(Class<T> type) throws IOException {
		while (true) {
			byte[] frame;
			try {
				frame = readFrame();
			}
			catch (EOFException ex) {
				return null;
			}
			Message message = FrameCodec.decode(Unpooled.wrappedBuffer(frame), FrameCodec.PROTOCOL_MINOR, true);
			if (type.isInstance(message)) {
				return type.cast(message);
			}
		}
	}

	/**
	 * Whether the node closed the connection (read until end of stream, up to the timeout).
	 * @param timeoutMillis how long to wait
	 * @return whether the stream ended
	 * @throws IOException on a socket error
	 */
	public boolean closedByNode(int timeoutMillis) throws IOException {
		this.socket.setSoTimeout(timeoutMillis);
		try {
			while (true) {
				readFrame();
			}
		}
		catch (EOFException ex) {
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
	}

	private byte[] readFrame() throws IOException {
		int length = this.in.readInt();
		if (length < 0 || length > 1 << 20) {
			throw new IOException("bad frame length " + length);
		}
		byte[] body = new byte[length];
		this.in.readFully(body);
		return body;
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
