package dev.infergate.modelserver;

public final class ModelServerMain {
  public static void main(String[] args) {}
}
