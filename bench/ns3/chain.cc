// netloom's `bench chain` in ns-3: UdpClient -> N point-to-point routers -> UdpServer.
//
//   h1 (UdpClient) -- r1 -- r2 -- ... -- rN -- h2 (UdpServer)     each link 100 us, 100 Gbit/s
//
// The same work as `netloom bench chain --routers N --packets P`: P UDP datagrams of 18 bytes of
// payload (netloom's flood) sent 1000 per virtual millisecond, every router forwarding each once,
// static routes (global routing computed once before the run), ARP on every link. The clock runs
// around Simulator::Run() only (topology building excluded, as netloom's warm-up is). Prints one
// JSON object: routers, packets, delivered, hopForwards, wallMs, hopForwardsPerSecond, peakRssBytes.
// Build: bench/ns3/build.sh (g++ against Debian's libns3-dev, pkg-config ns3-*).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"

using namespace ns3;

int main(int argc, char* argv[]) {
  uint32_t routers = 8;
  uint32_t packets = 100000;
  CommandLine cmd;
  cmd.AddValue("routers", "routers between the two hosts", routers);
  cmd.AddValue("packets", "datagrams sent end to end", packets);
  cmd.Parse(argc, argv);

  NodeContainer nodes;
  nodes.Create(routers + 2);
  InternetStackHelper internet;
  internet.Install(nodes);

  PointToPointHelper p2p;
  p2p.SetDeviceAttribute("DataRate", StringValue("100Gbps"));
  p2p.SetChannelAttribute("Delay", TimeValue(MicroSeconds(100)));
  p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1000p"));
  Ipv4AddressHelper addresses;
  Ipv4InterfaceContainer last;
  for (uint32_t k = 0; k <= routers; k++) {
    NetDeviceContainer link = p2p.Install(nodes.Get(k), nodes.Get(k + 1));
    char base[32];
    std::snprintf(base, sizeof base, "10.%u.%u.0", k >> 8, k & 0xff);
    addresses.SetBase(base, "255.255.255.0");
    last = addresses.Assign(link);
  }
  Ipv4GlobalRoutingHelper::PopulateRoutingTables();

  const uint16_t port = 9;
  UdpServerHelper server(port);
  ApplicationContainer serverApp = server.Install(nodes.Get(routers + 1));
  serverApp.Start(Seconds(0));
  UdpClientHelper client(last.GetAddress(1), port);
  client.SetAttribute("MaxPackets", UintegerValue(packets));
  client.SetAttribute("Interval", TimeValue(MicroSeconds(1)));
  client.SetAttribute("PacketSize", UintegerValue(18));
  ApplicationContainer clientApp = client.Install(nodes.Get(0));
  clientApp.Start(Seconds(0.001));
  Simulator::Stop(Seconds(0.001) + MicroSeconds(packets) + MilliSeconds(20));

  auto began = std::chrono::steady_clock::now();
  Simulator::Run();
  double wallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  uint64_t delivered = DynamicCast<UdpServer>(serverApp.Get(0))->GetReceived();
  Simulator::Destroy();

  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  uint64_t hopForwards = delivered * routers;
  std::printf("{\"routers\":%u,\"packets\":%u,\"delivered\":%llu,\"hopForwards\":%llu,\"wallMs\":%.3f,\"hopForwardsPerSecond\":%.1f,\"peakRssBytes\":%llu}\n",
              routers, packets, (unsigned long long)delivered, (unsigned long long)hopForwards, wallMs,
              wallMs > 0 ? hopForwards / wallMs * 1000 : 0.0, (unsigned long long)usage.ru_maxrss * 1024ULL);
  return delivered == packets ? 0 : 1;
}
