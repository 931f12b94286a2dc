package dev.infergate.router;

public final class RouterMain {
  public static void main(String[] args) {}
}
